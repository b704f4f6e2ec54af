"""`pricemon doctor` as a library: every check returns a `Check`; the CLI only renders them.

A check never raises: it turns what it finds into ✓ (ok), ✗ (fail: something required is
broken, `doctor` exits 1), ! (warn: worth fixing, not fatal) or - (skip: not configured, or
`--offline`). Every failure and warning carries a hint saying what to do. Secrets are shown
masked at most (`re_…a1b2`), never in full.

    checks: settings, database, migrations, redis, queues, workers, scheduler, chromium,
            ai, email, coolify <context> (reachable + token), coolify <context> web/worker
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from pricemon.errors import PricemonError

if TYPE_CHECKING:
    from pricemon.config import Settings


class Status(StrEnum):
    OK = "ok"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"

    @property
    def symbol(self) -> str:
        return {"ok": "✓", "fail": "✗", "warn": "!", "skip": "-"}[self.value]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"status": self.status.value}


def ok(name: str, detail: str) -> Check:
    return Check(name, Status.OK, detail)


def fail(name: str, detail: str, hint: str | None = None) -> Check:
    return Check(name, Status.FAIL, detail, hint)


def warn(name: str, detail: str, hint: str | None = None) -> Check:
    return Check(name, Status.WARN, detail, hint)


def skip(name: str, detail: str) -> Check:
    return Check(name, Status.SKIP, detail)


def from_error(name: str, error: PricemonError, status: Status = Status.FAIL) -> Check:
    return Check(name, status, error.message, error.hint)


def mask(secret: str | None) -> str:
    """At most the prefix and the last four characters: `re_…a1b2`."""
    if not secret:
        return "(not set)"
    if len(secret) < 12:
        return "…" + secret[-2:]
    prefix = secret.split("_", 1)[0] + "_" if "_" in secret[:5] else ""
    return f"{prefix}…{secret[-4:]}"


def guarded(name: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    """Run one check; an unexpected exception becomes a failed check, never a crash."""
    try:
        result = check()
    except PricemonError as error:
        return [from_error(name, error)]
    except Exception as error:  # a check must never stop the others
        return [fail(name, f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")]
    return result if isinstance(result, list) else [result]


def run_checks(
    load: Callable[[], Settings],
    *,
    contexts: list[str] | None = None,
    offline: bool = False,
) -> Iterator[Check]:
    """Every check, in order, as it completes (so the CLI can show progress).

    `load` builds the Settings (its failure is the first check's result). `contexts`: the
    Coolify contexts to check (None: every configured one). `offline`: no calls to AI,
    Resend or Coolify.
    """
    from pricemon.doctor import local, remote

    try:
        settings = load()
    except PricemonError as error:
        yield from_error("settings", error)
        return
    yield ok("settings", local.describe_settings(settings))
    results = {}
    for check in [
        *guarded("database", lambda: local.check_database(settings)),
        *guarded("redis", lambda: local.check_redis_all(settings)),
    ]:
        results[check.name] = check.status
        yield check
    # The schedule lives in the database and in Redis: without both it cannot be compared.
    missing = [n for n in ("migrations", "redis") if results.get(n) is not Status.OK]
    if missing:
        yield skip("scheduler", f"cannot run: needs {' and '.join(missing)} (see above)")
    else:
        yield from guarded("scheduler", lambda: local.check_scheduler(settings))
    yield from guarded("chromium", lambda: local.check_chromium(settings))
    yield from guarded("ai", lambda: remote.check_ai(settings, offline=offline))
    yield from guarded("email", lambda: remote.check_email(settings, offline=offline))
    for name in remote.coolify_contexts(settings, contexts):
        yield from guarded(
            f"coolify {name}", partial(remote.check_coolify, settings, name, offline=offline)
        )


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status is Status.FAIL for c in checks) else 0
