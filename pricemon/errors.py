"""The errors pricemon raises on purpose.

Every error carries a one-line `message` (what failed, where) and an optional `hint` (what to
do next). The CLI prints both and exits 1; the worker records the message on the check run.

    PricemonError
    ├── ConfigError          settings or environment are wrong (a variable, the .env file)
    ├── DatabaseError        the database cannot be reached or is behind its migrations
    ├── QueueError           Redis cannot be reached or answered unexpectedly
    ├── InputError           a value given by the user is invalid (a URL, a CSV line, an id)
    │   ├── DuplicateError   the thing already exists (a URL already monitored)
    │   └── NotFoundError    the thing does not exist (an unknown product id)
    ├── FetchError           a page could not be fetched (see FetchError.kind)
    ├── ExtractionError      a page was fetched but yielded no usable price
    ├── BrowserError         Chromium could not be found, started or driven
    ├── AIError              the LLM fallback failed or answered something unusable
    ├── EmailError           the email provider refused or failed a send
    ├── CoolifyError         the Coolify API refused or failed a request
    └── ProcessError         a process pricemon supervises (`pricemon dev`) died
"""

from __future__ import annotations


class PricemonError(Exception):
    """Base class: a failure with a message for people and an optional hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(PricemonError):
    """Settings, environment variables or the .env file are invalid."""


class DatabaseError(PricemonError):
    """The database is unreachable, misconfigured or behind its migrations."""


class QueueError(PricemonError):
    """Redis is unreachable or the queue answered unexpectedly."""


class InputError(PricemonError):
    """A value given by the user is invalid."""


class DuplicateError(InputError):
    """The thing to create already exists."""


class NotFoundError(InputError):
    """The thing asked for does not exist."""


class FetchError(PricemonError):
    """A page could not be fetched.

    `kind` says why, so callers can decide without reading the message: one of
    "refused" (scheme or address not allowed), "dns", "timeout", "connect", "http" (see
    `status_code`), "blocked" (bot wall, challenge or CAPTCHA), "too_large", "not_html".
    `transient` says whether retrying later may help.
    """

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        kind: str,
        url: str | None = None,
        status_code: int | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message, hint)
        self.kind = kind
        self.url = url
        self.status_code = status_code
        self.transient = transient


class ExtractionError(PricemonError):
    """A page was fetched but no usable price was found on it."""


class BrowserError(PricemonError):
    """Chromium could not be found, started or driven."""


class AIError(PricemonError):
    """The LLM fallback failed or gave an answer that did not check out."""


class EmailError(PricemonError):
    """The email provider refused or failed a send."""


class CoolifyError(PricemonError):
    """The Coolify API refused or failed a request."""

    def __init__(self, message: str, hint: str | None = None, *, status_code: int | None = None):
        super().__init__(message, hint)
        self.status_code = status_code


class ProcessError(PricemonError):
    """A child process that `pricemon dev` supervises exited on its own."""
