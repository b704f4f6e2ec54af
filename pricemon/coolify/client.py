"""The Coolify API client: one place that talks HTTP to a Coolify 4.x server.

It follows `../shared/coolify/openapi.json` where the spec is right and the real server's
behaviour where it is not (see the README next to the spec): 403 bodies that say
`"success": true` are errors; creating a database answers 201 with `{uuid, internal_db_url}`;
deployment logs are a JSON-encoded string; `GET /version` answers plain text.

The token never leaves `_BearerAuth`: it is not in the client's headers, reprs, log lines or
error messages, and httpx exceptions only carry the URL (which never holds the token).

Error tree (all `CoolifyError`, with `status_code` when the server answered):

    401 Unauthenticated            -> the token is wrong or revoked
    400 Invalid token              -> the token belongs to no team
    403 Missing permissions        -> the token lacks an ability (deploy, read, write...)
    403 API disabled / not allowed -> the API is off, or this IP is not allowed
    404                            -> an unknown uuid
    405                            -> a method the server no longer accepts
    409 / 422                      -> a conflict / validation errors (field by field)
    429                            -> retried after Retry-After, within a bounded budget
    5xx, network errors            -> retried with backoff for a bounded time
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from pricemon.config import CoolifyContext
from pricemon.errors import ConfigError, CoolifyError

log = logging.getLogger(__name__)

DEFAULT_API_PATH = "/api/v1"
# Statuses where the request did not take effect, so sending it again is safe for any method.
_RETRY_ANY_METHOD = {502, 503, 504}
# /health and /version answer text (the spec says text/html), not JSON.
_TEXT = "text/plain, text/html;q=0.9, application/json;q=0.5"


class _BearerAuth(httpx.Auth):
    """Adds the Bearer header per request, so the token is never stored in client headers."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(token=**********)"


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying. `sleep` and `clock` are injectable so tests run instantly."""

    retry_for_s: float = 60.0
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)


DEFAULT_RETRY = RetryPolicy()


def missing_setting(name: str) -> ConfigError:
    return ConfigError(f"{name} is not set", hint=f"set {name} in the environment or in .env")


class CoolifyClient:
    """A synchronous client for one Coolify server. Use as a context manager or call close()."""

    def __init__(
        self,
        base_url: str,
        token: SecretStr,
        *,
        api_path: str = DEFAULT_API_PATH,
        token_variable: str = "the API token",  # noqa: S107 (a variable name)
        timeout_s: float = 20.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_path = "/" + api_path.strip("/") if api_path.strip("/") else ""
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.token_variable = token_variable
        self.retry = retry or DEFAULT_RETRY
        self._http = httpx.Client(
            base_url=self.base_url + self.api_path,
            auth=_BearerAuth(token),
            headers={"Accept": "application/json", "User-Agent": "pricemon"},
            timeout=timeout_s,
            transport=transport,
        )

    @classmethod
    def from_context(
        cls, context: CoolifyContext, *, api_path: str = DEFAULT_API_PATH, **kwargs: Any
    ) -> CoolifyClient:
        """A client for `local` or `prod`; ConfigError naming the variable that is missing."""
        if not context.url:
            raise missing_setting(f"{context.prefix}URL")
        if not urlsplit(context.url).scheme.startswith("http"):
            raise ConfigError(
                f"{context.prefix}URL is not an http(s) URL",
                hint=f"set {context.prefix}URL to e.g. http://192.168.64.2:8000",
            )
        if context.api_token is None or not context.api_token.get_secret_value().strip():
            raise missing_setting(f"{context.prefix}API_TOKEN")
        return cls(
            context.url,
            context.api_token,
            api_path=api_path,
            token_variable=f"{context.prefix}API_TOKEN",
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"CoolifyClient(host={self.host!r})"

    def __enter__(self) -> CoolifyClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Transport ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        what: str = "resource",
        accept: str | None = None,
    ) -> httpx.Response:
        """Send one request, retrying what is safe to retry; CoolifyError for any failure.

        `idempotent` says whether a request that may have reached the server can be sent
        again (default: only GET). `what` names the thing for 404 messages.
        """
        if idempotent is None:
            idempotent = method == "GET"
        deadline = self.retry.clock() + self.retry.retry_for_s
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, params, body, accept)
            except httpx.TransportError as exc:
                if not self._may_retry(exc, idempotent, deadline):
                    raise self._network_error(exc) from None
                self._backoff(attempt, f"{type(exc).__name__}")
                continue
            if response.status_code == 429:
                self._wait_retry_after(response, deadline)
                continue
            retryable = response.status_code in _RETRY_ANY_METHOD or (
                idempotent and response.status_code >= 500
            )
            if retryable and self.retry.clock() < deadline:
                self._backoff(attempt, f"HTTP {response.status_code}")
                continue
            if response.is_success:
                return response
            raise self.error_for(response, what=what)

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        body: Mapping[str, Any] | None,
        accept: str | None,
    ) -> httpx.Response:
        headers = {"Accept": accept} if accept else {}
        content = None
        if body is not None:
            # Coolify answers 400 to a body without this header or to an empty object.
            headers["Content-Type"] = "application/json"
            content = json.dumps(dict(body)).encode()
        return self._http.request(method, path, params=params, content=content, headers=headers)

    def _may_retry(self, exc: httpx.TransportError, idempotent: bool, deadline: float) -> bool:
        # A refused or timed-out connect never reached the server: safe for any method.
        never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        return (idempotent or never_sent) and self.retry.clock() < deadline

    def _backoff(self, attempt: int, reason: str) -> None:
        delay = min(self.retry.max_backoff_s, 0.5 * 2 ** (attempt - 1))
        log.warning("Coolify at %s: %s, retrying in %.1f s", self.host, reason, delay)
        self.retry.sleep(delay)

    def _wait_retry_after(self, response: httpx.Response, deadline: float) -> None:
        wait_s = _retry_after_s(response)
        remaining = deadline + self.retry.max_retry_after_s - self.retry.clock()
        if wait_s > remaining:
            raise CoolifyError(
                f"Coolify at {self.host} is busy (429: {_message(response) or 'rate limited'})"
                f" and asked to wait {wait_s:.0f} s, beyond the retry budget",
                hint="its deployment queue is full; try again in a few minutes",
                status_code=429,
            )
        log.warning("Coolify at %s asked to wait %.0f s (429)", self.host, wait_s)
        self.retry.sleep(wait_s)

    def _network_error(self, exc: httpx.TransportError) -> CoolifyError:
        reason = type(exc).__name__
        detail = str(exc).splitlines()[0] if str(exc) else ""
        if detail:
            reason = f"{reason}: {detail}"
        return CoolifyError(
            f"cannot reach Coolify at {self.host} ({reason})",
            hint="check the URL, that the server is up, and that this machine can reach it",
        )

    # Errors ---------------------------------------------------------------------------------

    def error_for(self, response: httpx.Response, *, what: str = "resource") -> CoolifyError:
        """The CoolifyError for a refused request: one line saying what and where, a hint."""
        status = response.status_code
        message = _message(response)
        where = f"Coolify at {self.host}"
        hint: str | None
        if status == 401:
            text = f"{where} rejected the API token (401 {message or 'Unauthenticated.'})"
            hint = f"check {self.token_variable}: create a token in Coolify under Keys & Tokens"
        elif status == 400 and "token" in message.lower():
            text = f"{where} rejected the API token (400 {message})"
            hint = f"{self.token_variable} must belong to a team: create it from a team account"
        elif status == 403:
            # These bodies may say `"success": true`; the status is what counts.
            text, hint = _forbidden(where, message)
        elif status == 404:
            text = f"{what} not found on {where} (404 {message or 'Not found.'})"
            hint = "check the uuid (copy it from the resource's page in Coolify)"
        elif status == 405:
            text = f"{where} does not accept {response.request.method} {response.request.url.path}"
            hint = "pricemon needs Coolify 4.2 or newer: update Coolify"
        elif status == 422:
            text = f"{where} rejected the request: {_validation_detail(response, message)}"
            hint = "this pricemon may not match your Coolify version: update one of them"
        else:
            text = f"{where} answered {status} to {response.request.method} "
            text += f"{response.request.url.path}" + (f": {message}" if message else "")
            hint = "see Coolify's own logs for the cause" if status >= 500 else None
        return CoolifyError(text, hint=hint, status_code=status)

    # Endpoints ------------------------------------------------------------------------------

    def health(self) -> str:
        """`OK` when Coolify is up (needs no token)."""
        return self.request("GET", "/health", accept=_TEXT).text.strip()

    def version(self) -> str:
        """The server's version, e.g. `4.3.11` (the real server answers plain text)."""
        text = self.request("GET", "/version", accept=_TEXT).text.strip()
        return text.strip('"').removeprefix("v")

    def get_json(
        self, path: str, *, params: Mapping[str, str | int] | None = None, what: str = "resource"
    ) -> Any:
        return _json(self.request("GET", path, params=params, what=what))

    def send_json(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any],
        *,
        what: str = "resource",
        idempotent: bool = False,
    ) -> Any:
        return _json(self.request(method, path, body=body, what=what, idempotent=idempotent))


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"]).strip()
    return ""


def _forbidden(where: str, message: str) -> tuple[str, str]:
    lowered = message.lower()
    text = f"{where} refused the request (403 {message or 'Forbidden'})"
    if "missing required permissions" in lowered:
        return text, "give the token the ability it names (deploy, read or write), or a new one"
    if "api is disabled" in lowered:
        return text, "enable the API in Coolify: Settings > Advanced > API Access"
    if "not allowed" in lowered:
        return text, "add this machine's IP to Coolify: Settings > Advanced > Allowed IPs"
    return text, "check the token's abilities and Coolify's API settings"


def _validation_detail(response: httpx.Response, message: str) -> str:
    try:
        errors = response.json().get("errors") or {}
    except (ValueError, AttributeError):
        errors = {}
    if not isinstance(errors, dict) or not errors:
        return message or "validation failed"
    parts = []
    for name, problems in errors.items():
        problem = problems[0] if isinstance(problems, list) and problems else problems
        parts.append(f"{name}: {problem}")
    return "; ".join(parts)


def _retry_after_s(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0  # Coolify sends seconds; an HTTP-date or nothing: its documented default
