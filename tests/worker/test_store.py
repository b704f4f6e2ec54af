"""Recording checks (SQLite and PostgreSQL): one run per (job, attempt), prices compared
with the previous record, failures never touch prices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from pricemon.models import Availability, CheckOutcome, CheckRun, PriceRecord, ProductStatus, utcnow
from pricemon.worker.outcome import Observation
from pricemon.worker.store import Attempt, find_recorded, latest_recorded, store_check
from tests.worker.conftest import add_products, count, products_by_url


def attempt(job_id: str, number: int = 1) -> Attempt:
    now = utcnow()
    return Attempt(job_id, number, now - timedelta(seconds=1), now, 1000)


def ok(price: str) -> Observation:
    return Observation(
        CheckOutcome.OK,
        method="http+jsonld",
        price=Decimal(price),
        currency="EUR",
        availability=Availability.IN_STOCK,
        title="Page title",
        image_url="http://127.0.0.1/i.png",
    )


def test_same_attempt_is_recorded_once(engine: Engine) -> None:
    [pid] = add_products(engine, ["http://127.0.0.1:1/p"])
    first = store_check(engine, pid, ok("10.00"), attempt("j1"))
    again = store_check(engine, pid, ok("10.00"), attempt("j1"))  # re-delivered attempt
    assert again.already_recorded and again.run_id == first.run_id
    assert count(engine, CheckRun) == 1 and count(engine, PriceRecord) == 1
    assert find_recorded(engine, "j1", 1) is not None
    assert find_recorded(engine, "j1", 2) is None


def test_prices_are_compared_with_the_previous_record(engine: Engine) -> None:
    [pid] = add_products(engine, ["http://127.0.0.1:1/p"])
    first = store_check(engine, pid, ok("10.00"), attempt("j1"))
    same = store_check(engine, pid, ok("10.00"), attempt("j2"))
    lower = store_check(engine, pid, ok("8.50"), attempt("j3"))
    assert not first.changed and first.previous_price is None
    assert not same.changed and same.previous_price == Decimal("10.00")
    assert lower.changed and lower.previous_price == Decimal("10.00")
    assert latest_recorded(engine, "j3") == find_recorded(engine, "j3", 1)
    assert latest_recorded(engine, "j3").changed  # type: ignore[union-attr]
    product = products_by_url(engine)["http://127.0.0.1:1/p"]
    assert (product.last_price, product.previous_price) == (Decimal("8.50"), Decimal("10.00"))
    assert product.status == ProductStatus.OK and product.title == "Page title"
    assert product.currency == "EUR"


def test_a_failure_is_recorded_but_never_a_price_change(engine: Engine) -> None:
    [pid] = add_products(engine, ["http://127.0.0.1:1/p"])
    store_check(engine, pid, ok("10.00"), attempt("j1"))
    blocked = Observation(CheckOutcome.BLOCKED, error="Cloudflare challenge", transient=True)
    store_check(engine, pid, blocked, attempt("j2", 1))
    store_check(engine, pid, blocked, attempt("j2", 2))
    product = products_by_url(engine)["http://127.0.0.1:1/p"]
    assert product.status == ProductStatus.BLOCKED
    assert product.last_price == Decimal("10.00") and product.previous_price is None
    assert product.last_error == "Cloudflare challenge"
    assert product.last_availability == Availability.IN_STOCK  # blocked is never out of stock
    failing_since = product.failing_since
    assert failing_since is not None and product.last_failure_at is not None
    assert count(engine, CheckRun, outcome="blocked") == 2
    assert count(engine, PriceRecord) == 1
    store_check(engine, pid, ok("10.00"), attempt("j3"))
    recovered = products_by_url(engine)["http://127.0.0.1:1/p"]
    assert recovered.failing_since is None and recovered.last_error is None
    assert recovered.status == ProductStatus.OK
