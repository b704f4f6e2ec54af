"""Email delivery through the Resend API (POST {RESEND_BASE_URL}/emails), with httpx.

Recipients. Resend requires `to` (https://resend.com/docs/api-reference/emails/send-email);
everyone in `to` sees everyone else. So one recipient goes in `to`, and several go in `bcc`
with `to` set to the sender's own address (EMAIL_FROM without its display name): recipients
do not see each other's addresses and the sender's mailbox keeps a copy.

Exactly once. Every send carries an `Idempotency-Key` (a digest slot, an alert id): Resend
answers a repeated key with the first response for 24 hours instead of sending again
(https://resend.com/docs/dashboard/emails/idempotency-keys), so a retry after a timeout, or a
second worker sending the same slot, cannot send twice. A repeated key with a different body
(the digest was rebuilt) is refused with 409 `invalid_idempotent_request`: that email was
already sent, and `SentEmail.duplicate` says so.

Retries. 429 waits for Retry-After, 5xx, 409 `concurrent_idempotent_requests` and network
errors back off exponentially; both are bounded by `max_attempts`. Anything else raises
EmailError at once (401/403 with a hint about RESEND_API_KEY).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

import httpx

from pricemon.config import Settings
from pricemon.email_render import RenderedEmail
from pricemon.errors import EmailError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_S = 2.0
MAX_RETRY_AFTER_S = 60.0
TIMEOUT_S = 30.0
RECIPIENTS_HINT = (
    "set recipients in the dashboard or with `pricemon schedule set --to EMAIL`, or set ALERT_EMAIL"
)


@dataclass(frozen=True)
class SentEmail:
    """What Resend accepted: its email id (None for a duplicate it had already sent)."""

    provider_id: str | None
    to: list[str]
    bcc: list[str] = field(default_factory=list)
    duplicate: bool = False


def address_of(mailbox: str) -> str:
    """`digest@example.com` from `Pricemon <digest@example.com>`."""
    return parseaddr(mailbox)[1] or mailbox.strip()


def envelope(settings: Settings, recipients: Sequence[str]) -> tuple[list[str], list[str]]:
    """(to, bcc) for `recipients`: one goes in `to`, several in `bcc` (see module docstring)."""
    unique = list(dict.fromkeys(r.strip() for r in recipients if r.strip()))
    if not unique:
        raise EmailError("no recipients for this email", hint=RECIPIENTS_HINT)
    if len(unique) == 1:
        return unique, []
    return [address_of(settings.email_from or unique[0])], unique


def _require_config(settings: Settings) -> tuple[str, str]:
    if settings.resend_api_key is None or not settings.resend_api_key.get_secret_value():
        raise EmailError(
            "RESEND_API_KEY is not set, so no email can be sent",
            hint="create an API key at https://resend.com/api-keys and set RESEND_API_KEY",
        )
    if not settings.email_from:
        raise EmailError(
            "EMAIL_FROM is not set",
            hint="set EMAIL_FROM to an address on a domain verified in Resend, "
            "e.g. 'Pricemon <prices@example.com>'",
        )
    return settings.resend_api_key.get_secret_value(), settings.email_from


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    """Resend's error `name` and `message` (their error schema), or the status text."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    name = str(body.get("name") or "")
    message = str(body.get("message") or response.reason_phrase or "").strip()
    return name, message[:300]


def _refusal(response: httpx.Response) -> EmailError:
    name, message = _error_fields(response)
    status = response.status_code
    what = f"Resend refused the email (HTTP {status}{', ' + name if name else ''}): {message}"
    if status in (401, 403) and "domain" not in message.lower() and "testing" not in message:
        return EmailError(what, hint="check RESEND_API_KEY: it is missing, wrong or revoked")
    if status == 403:
        return EmailError(
            what, hint="verify the domain of EMAIL_FROM at https://resend.com/domains"
        )
    return EmailError(what, hint="check EMAIL_FROM and the recipient addresses")


def _retry_delay(response: httpx.Response | None, attempt: int, backoff_s: float) -> float:
    if response is not None and response.status_code == 429:
        try:
            return min(float(response.headers.get("retry-after", "")), MAX_RETRY_AFTER_S)
        except ValueError:
            pass
    return float(backoff_s * 2 ** (attempt - 1))


async def _attempt(
    client: httpx.AsyncClient, url: str, *, api_key: str, key: str, body: Any
) -> tuple[SentEmail | None, httpx.Response | None, str]:
    """One POST: (the accepted email, None, "") or (None, the response if any, why it failed
    in a retryable way). Raises EmailError when retrying cannot help."""
    try:
        response = await client.post(
            url, json=body, headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": key}
        )
    except httpx.TransportError as exc:
        return None, None, f"{type(exc).__name__}: {exc}"
    to, bcc = body["to"], body.get("bcc", [])
    if response.is_success:
        provider_id = str(response.json().get("id") or "") or None
        return SentEmail(provider_id=provider_id, to=to, bcc=bcc), None, ""
    name, reason = _error_fields(response)
    if response.status_code == 409 and name == "invalid_idempotent_request":
        log.info("email %s was already sent (Resend: %s)", key, reason)
        return SentEmail(provider_id=None, to=to, bcc=bcc, duplicate=True), None, ""
    if response.status_code in (409, 429) or response.status_code >= 500:
        return None, response, f"HTTP {response.status_code}: {reason}"
    raise _refusal(response)


async def send_email(
    settings: Settings,
    email: RenderedEmail,
    recipients: Sequence[str],
    *,
    idempotency_key: str,
    client: httpx.AsyncClient | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    backoff_s: float = BACKOFF_S,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> SentEmail:
    """Send `email` to `recipients` through Resend once per `idempotency_key`.

    Raises EmailError when Resend refuses it or keeps failing after `max_attempts`.
    """
    api_key, sender = _require_config(settings)
    to, bcc = envelope(settings, recipients)
    body: dict[str, Any] = {
        "from": sender,
        "to": to,
        "subject": email.subject,
        "html": email.html,
        "text": email.text,
    }
    if bcc:
        body["bcc"] = bcc
    url = settings.resend_base_url.rstrip("/") + "/emails"
    own_client = client is None
    http = client or httpx.AsyncClient(timeout=TIMEOUT_S)
    try:
        for attempt in range(1, max_attempts + 1):
            sent, response, reason = await _attempt(
                http, url, api_key=api_key, key=idempotency_key, body=body
            )
            if sent is not None:
                return sent
            if attempt < max_attempts:
                delay = _retry_delay(response, attempt, backoff_s)
                log.warning(
                    "email %s attempt %d/%d failed (%s); retrying in %.1f s",
                    idempotency_key, attempt, max_attempts, reason, delay,
                )  # fmt: skip
                await sleep(delay)
        raise EmailError(
            f"Resend did not accept the email after {max_attempts} attempts: {reason}",
            hint=f"check {settings.resend_base_url} is reachable; retrying later sends it once",
        )
    finally:
        if own_client:
            await http.aclose()
