"""The failure policy: which results and errors are recorded how, and which are retried."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricemon.domain.offer import CheckResult
from pricemon.errors import BrowserError, ExtractionError, FetchError
from pricemon.models import Availability, CheckOutcome, ProductStatus
from pricemon.worker.outcome import from_error, from_result


def result(price: str | None, availability: Availability = Availability.IN_STOCK) -> CheckResult:
    return CheckResult(
        url="http://shop/p",
        final_url="http://shop/p",
        price=Decimal(price) if price else None,
        currency="EUR",
        availability=availability,
        title="Thing",
        image_url=None,
        method="http+jsonld",
        confidence=0.9,
    )


@pytest.mark.parametrize(
    ("check", "outcome", "status", "failed"),
    [
        (result("9.99"), CheckOutcome.OK, ProductStatus.OK, False),
        (
            result("9.99", Availability.OUT_OF_STOCK),
            CheckOutcome.OK,
            ProductStatus.OUT_OF_STOCK,
            False,
        ),
        (
            result(None, Availability.OUT_OF_STOCK),
            CheckOutcome.OUT_OF_STOCK,
            ProductStatus.OUT_OF_STOCK,
            False,
        ),
        (result(None), CheckOutcome.NO_PRICE, ProductStatus.FAILING, True),
    ],
)
def test_results(
    check: CheckResult, outcome: CheckOutcome, status: ProductStatus, failed: bool
) -> None:
    seen = from_result(check)
    assert (seen.outcome, seen.product_status, seen.failed) == (outcome, status, failed)
    assert not seen.transient  # a loaded page without a price is permanent


@pytest.mark.parametrize(
    ("error", "outcome", "status", "transient"),
    [
        (
            FetchError("timeout", kind="timeout", transient=True),
            CheckOutcome.ERROR,
            ProductStatus.FAILING,
            True,
        ),
        (
            FetchError("HTTP 503", kind="http", status_code=503, transient=True),
            CheckOutcome.ERROR,
            ProductStatus.FAILING,
            True,
        ),
        (
            FetchError("HTTP 404", kind="http", status_code=404),
            CheckOutcome.ERROR,
            ProductStatus.FAILING,
            False,
        ),
        (FetchError("refused", kind="refused"), CheckOutcome.ERROR, ProductStatus.FAILING, False),
        (
            FetchError("Cloudflare", kind="blocked", transient=True),
            CheckOutcome.BLOCKED,
            ProductStatus.BLOCKED,
            True,
        ),
        (BrowserError("Chromium crashed"), CheckOutcome.ERROR, ProductStatus.FAILING, True),
        (ExtractionError("no price"), CheckOutcome.ERROR, ProductStatus.FAILING, False),
        (TimeoutError(), CheckOutcome.ERROR, ProductStatus.FAILING, True),
        (KeyError("bug"), CheckOutcome.ERROR, ProductStatus.FAILING, True),
    ],
)
def test_errors(
    error: BaseException, outcome: CheckOutcome, status: ProductStatus, transient: bool
) -> None:
    seen = from_error(error, timeout_s=5)
    assert (seen.outcome, seen.product_status, seen.transient) == (outcome, status, transient)
    assert seen.failed and seen.error
    assert seen.price is None  # a failed check is never a price change


def test_time_limit_names_the_setting() -> None:
    assert "PRICEMON_CHECK_TIMEOUT" in (from_error(TimeoutError(), timeout_s=7).error or "")
