"""Sign-in for the dashboard and the API, CSRF tokens, and the login rate limit.

When `PRICEMON_ADMIN_PASSWORD` is set, every route except `PUBLIC_PATHS` needs either

- a signed session cookie (Starlette's SessionMiddleware, itsdangerous), set by `/login`, or
- HTTP Basic credentials with user `admin` (scripts and API clients), compared in constant
  time.

401 answers carry no `WWW-Authenticate: Basic` challenge on purpose: a browser that was never
challenged never caches Basic credentials, so it cannot attach them to a forged cross-site
form post. Cookie-authenticated form posts carry a per-session CSRF token instead.

The session signing key is `PRICEMON_SECRET_KEY` when set; otherwise it is derived from the
admin password and a random key created once in `<data_dir>/web-secret.key`, so changing the
password signs everybody out. Several web replicas must share PRICEMON_SECRET_KEY.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from pricemon.config import Settings
from pricemon.errors import ConfigError

ADMIN_USER = "admin"
PUBLIC_PATHS = ("/healthz", "/readyz", "/login")
PUBLIC_PREFIXES = ("/static/",)
SECRET_FILE = "web-secret.key"  # noqa: S105 - a file name, not a secret
SESSION_USER_KEY = "user"
SESSION_CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def check_web_settings(settings: Settings) -> None:
    """Refuse to serve a production dashboard that anybody could use."""
    if settings.is_production and settings.admin_password is None:
        raise ConfigError(
            "refusing to serve: PRICEMON_ENV=production and PRICEMON_ADMIN_PASSWORD is not set",
            hint="set PRICEMON_ADMIN_PASSWORD (and PRICEMON_SECRET_KEY) in the environment",
        )


def session_secret(settings: Settings) -> str:
    """The key that signs session cookies (see the module docstring)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    stored = path.read_text(encoding="utf-8").strip()
    password = settings.admin_password.get_secret_value() if settings.admin_password else ""
    return hmac.new(stored.encode(), password.encode(), hashlib.sha256).hexdigest()


def password_matches(settings: Settings, candidate: str) -> bool:
    """Constant-time comparison with PRICEMON_ADMIN_PASSWORD."""
    if settings.admin_password is None:
        return False
    expected = settings.admin_password.get_secret_value().encode()
    return hmac.compare_digest(candidate.encode(), expected)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user, password) from an `Authorization: Basic ...` header, or None."""
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def basic_matches(settings: Settings, user: str, password: str) -> bool:
    user_ok = hmac.compare_digest(user.encode(), ADMIN_USER.encode())
    password_ok = password_matches(settings, password)
    return user_ok and password_ok


def csrf_token(session: dict[str, object]) -> str:
    """This session's CSRF token, created on first use."""
    token = session.get(SESSION_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[SESSION_CSRF_KEY] = token
    return token


def csrf_valid(session: dict[str, object], submitted: object) -> bool:
    expected = session.get(SESSION_CSRF_KEY)
    if not isinstance(expected, str) or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


class LoginLimiter:
    """At most `max_failures` failed sign-ins per client address per `window_s` seconds.

    Kept in memory: right for one web process (what we run). Several replicas would each
    allow the limit, which still bounds guessing; put a shared limiter in front if needed.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 60.0, max_clients: int = 10_000):
        self.max_failures = max_failures
        self.window_s = window_s
        self.max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def blocked(self, client: str, *, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(client, now)) >= self.max_failures

    def record_failure(self, client: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) >= self.max_clients:  # forget the quiet ones first
                for key in [k for k, v in self._failures.items() if not self._recent(k, now)]:
                    del self._failures[key]
            self._recent(client, now).append(now)

    def reset(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
