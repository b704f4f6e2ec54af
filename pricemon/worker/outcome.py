"""What one check attempt produced, as the worker records it. Pure: no I/O.

The failure policy lives here. Transient failures (timeouts, 5xx, bot walls, a crashed
browser) are retried by BullMQ with exponential backoff; permanent ones (404, a refused
URL, a page that loaded without a price) fail the job at once. Either way the attempt is
recorded, and a failure never touches the product's prices.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal

from pricemon.domain.offer import CheckResult
from pricemon.errors import BrowserError, FetchError, PricemonError
from pricemon.models import Availability, CheckOutcome, ProductStatus

MAX_ERROR_CHARS = 2000  # check_run.error and product.last_error are VARCHAR(2000)


@dataclass(frozen=True)
class Observation:
    """One attempt's outcome: what to store, and whether the job should be retried."""

    outcome: CheckOutcome
    method: str | None = None
    error: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    availability: Availability = Availability.UNKNOWN
    title: str | None = None
    image_url: str | None = None
    transient: bool = False  # a failure that a later attempt may not repeat

    @property
    def failed(self) -> bool:
        return self.outcome in (CheckOutcome.NO_PRICE, CheckOutcome.BLOCKED, CheckOutcome.ERROR)

    @property
    def product_status(self) -> ProductStatus:
        if self.outcome is CheckOutcome.BLOCKED:
            return ProductStatus.BLOCKED
        if self.failed:
            return ProductStatus.FAILING
        if self.availability is Availability.OUT_OF_STOCK:
            return ProductStatus.OUT_OF_STOCK
        return ProductStatus.OK


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def from_result(result: CheckResult) -> Observation:
    """A page that loaded: a price, an out-of-stock page, or no price (permanent)."""
    error = None
    if result.price is not None:
        outcome = CheckOutcome.OK
    elif result.availability is Availability.OUT_OF_STOCK:
        outcome = CheckOutcome.OUT_OF_STOCK
    else:
        outcome = CheckOutcome.NO_PRICE
        error = _clip(f"no price found on {result.final_url}")
    return Observation(
        outcome,
        method=result.method,
        error=error,
        price=result.price,
        currency=result.currency,
        availability=result.availability,
        title=result.title,
        image_url=result.image_url,
    )


def from_error(exc: BaseException, *, timeout_s: float) -> Observation:
    """A check that raised: classify it as blocked/error, transient or permanent."""
    if isinstance(exc, FetchError):
        outcome = CheckOutcome.BLOCKED if exc.kind == "blocked" else CheckOutcome.ERROR
        return Observation(outcome, error=_clip(exc.message), transient=exc.transient)
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        message = f"the check did not finish within {timeout_s:g} s (PRICEMON_CHECK_TIMEOUT)"
        return Observation(CheckOutcome.ERROR, error=message, transient=True)
    if isinstance(exc, BrowserError):  # Chromium crashed or could not start: try again
        return Observation(CheckOutcome.ERROR, error=_clip(exc.message), transient=True)
    if isinstance(exc, PricemonError):  # ExtractionError, AIError...: retrying will not help
        return Observation(CheckOutcome.ERROR, error=_clip(exc.message), transient=False)
    # A bug or an unexpected library error: record it and let BullMQ retry.
    message = f"unexpected {type(exc).__name__}: {exc}"
    return Observation(CheckOutcome.ERROR, error=_clip(message), transient=True)
