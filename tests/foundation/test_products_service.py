"""The products service on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from pricemon import product_import, products
from pricemon.db import session_scope
from pricemon.errors import DuplicateError, InputError, NotFoundError
from pricemon.models import CheckRun, PriceRecord, Product


def test_add_normalises_and_refuses_duplicates(engine: Engine) -> None:
    with session_scope(engine) as session:
        product = products.add_product(
            session, "HTTPS://Shop.Example/p?utm_source=x&id=1#top", name="  Red   kettle "
        )
        assert product.id is not None
        assert product.url == "https://shop.example/p?id=1"
        assert product.name == "Red kettle"
        assert product.status == "pending"
    with session_scope(engine) as session, pytest.raises(DuplicateError) as caught:
        products.add_product(session, "https://shop.example/p?id=1&gclid=9")
    assert caught.value.message == (
        f"https://shop.example/p?id=1 is already monitored (product {product.id})"
    )
    with session_scope(engine) as session:
        assert len(products.list_products(session)) == 1


def test_invalid_url_or_name_stores_nothing(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(InputError):
        products.add_product(session, "not-a-url")
    with session_scope(engine) as session, pytest.raises(InputError) as caught:
        products.add_product(session, "https://shop.example/x", name="n" * 501)
    assert caught.value.message == "the name is 501 characters long (at most 500)"
    with session_scope(engine) as session:
        assert products.list_products(session) == []


def test_find_get_and_remove(engine: Engine) -> None:
    with session_scope(engine) as session:
        product = products.add_product(session, "https://shop.example/a")
        session.add(CheckRun(product_id=product.id, outcome="ok"))
        session.add(
            PriceRecord(
                product_id=product.id, amount=Decimal("1.50"), currency="EUR", method="json-ld"
            )
        )
    with session_scope(engine) as session:
        assert products.find_product(session, str(product.id)).id == product.id
        assert products.find_product(session, "https://SHOP.example/a#x").id == product.id
        with pytest.raises(NotFoundError) as caught:
            products.find_product(session, "https://shop.example/b")
        assert caught.value.message == "https://shop.example/b is not monitored"
        with pytest.raises(NotFoundError) as missing:
            products.get_product(session, 999)
        assert missing.value.message == "there is no product 999"
    with session_scope(engine) as session:
        removed = products.remove_product(session, "https://shop.example/a")
        assert removed.id == product.id
    with session_scope(engine) as session:
        assert products.list_products(session) == []
        # The history went with it (ON DELETE CASCADE).
        assert session.exec(select(PriceRecord)).all() == []
        assert session.exec(select(CheckRun)).all() == []


def _set_price(engine: Engine, product_id: int, price: str | None) -> None:
    with session_scope(engine) as session:
        product = session.get(Product, product_id)
        assert product is not None
        product.last_price = Decimal(price) if price is not None else None
        product.currency = "EUR"
        product.last_checked_at = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
        session.add(product)


def test_list_filters_and_sorts(engine: Engine) -> None:
    with session_scope(engine) as session:
        a = products.add_product(session, "https://shop.example/a", name="banana")
        b = products.add_product(session, "https://shop.example/b", name="Apple")
        c = products.add_product(session, "https://other.example/c")
        ids = (a.id, b.id, c.id)
    assert all(isinstance(i, int) for i in ids)
    _set_price(engine, a.id or 0, "9.50")
    _set_price(engine, b.id or 0, "10.00")
    with session_scope(engine) as session:
        names = [p.display_name for p in products.list_products(session)]
        assert names == ["Apple", "banana", "https://other.example/c"]
        by_price = [p.id for p in products.list_products(session, sort="price")]
        assert by_price == [a.id, b.id, c.id]  # numeric order (9.50 < 10.00), nulls last
        assert [p.id for p in products.list_products(session, sort="-price")] == [
            b.id,
            a.id,
            c.id,
        ]
        assert [p.id for p in products.list_products(session, search="OTHER")] == [c.id]
        products.update_product(session, c.id or 0, active=False)
        assert [p.id for p in products.list_products(session, active=False)] == [c.id]
        assert len(products.list_products(session, status="pending")) == 3
        with pytest.raises(InputError):
            products.list_products(session, sort="colour")


def test_update_product(engine: Engine) -> None:
    with session_scope(engine) as session:
        product = products.add_product(session, "https://shop.example/a")
        other = products.add_product(session, "https://shop.example/b")
    _set_price(engine, product.id or 0, "20")
    with session_scope(engine) as session:
        updated = products.update_product(
            session, product.id or 0, name="Kettle", alert_drop_percent="10"
        )
        assert updated.alert_drop_percent == Decimal("10")
        assert updated.alert_reference_price == Decimal("20")
        assert updated.alert_armed is True
        with pytest.raises(DuplicateError):
            products.update_product(session, product.id or 0, url=other.url)
        with pytest.raises(InputError) as caught:
            products.update_product(session, product.id or 0, alert_target_price=1.5)
        assert caught.value.message == "alert_target_price must be an exact decimal, not a float"
        with pytest.raises(InputError):
            products.update_product(session, product.id or 0, alert_drop_percent="150")
        with pytest.raises(InputError) as unknown:
            products.update_product(session, product.id or 0, status="ok")
        assert unknown.value.message == "cannot change status"


def test_import_mixed_text(engine: Engine) -> None:
    text = (
        "# my list\n"
        "https://shop.example/a\n"
        "\n"
        "not-a-url\n"
        "https://shop.example/a?utm_source=x\n"
        "ftp://shop.example/b\n"
        "https://shop.example/c\n"
    )
    with session_scope(engine) as session:
        products.add_product(session, "https://shop.example/c")
    with session_scope(engine) as session:
        report = product_import.import_products(session, text)
    assert [(r.line, r.outcome) for r in report.lines] == [
        (2, "added"),
        (4, "invalid"),
        (5, "skipped"),
        (6, "invalid"),
        (7, "skipped"),
    ]
    assert report.lines[2].reason == "same URL as line 2"
    assert report.lines[4].reason is not None and report.lines[4].reason.startswith(
        "already monitored (product "
    )
    assert report.lines[1].reason == (
        "invalid URL 'not-a-url': it does not start with http:// or https://"
    )
    assert report.summary() == "1 added, 2 skipped, 2 invalid"
    assert len(report.added_ids) == 1


def test_import_csv_with_names(engine: Engine) -> None:
    text = "\ufeffName;URL\nKettle;https://shop.example/k\n;https://shop.example/t\nX;nope\n"
    with session_scope(engine) as session:
        report = product_import.import_products(session, text)
        assert [(r.line, r.outcome) for r in report.lines] == [
            (2, "added"),
            (3, "added"),
            (4, "invalid"),
        ]
        names = {p.url: p.name for p in products.list_products(session)}
    assert names == {"https://shop.example/k": "Kettle", "https://shop.example/t": None}


def test_export_round_trip(engine: Engine) -> None:
    with session_scope(engine) as session:
        a = products.add_product(session, "https://shop.example/a", name="Kettle, red")
        products.add_product(session, "https://shop.example/b")
    _set_price(engine, a.id or 0, "19.9900")
    with session_scope(engine) as session:
        as_json = json.loads(products.export_products(session, "json"))
        as_csv = products.export_products(session, "csv")
    assert as_json[0]["price"] == "19.99"
    assert as_json[0]["last_checked_at"] == "2026-11-28T09:30:00+00:00"
    assert as_json[1]["price"] is None
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert rows[0]["name"] == "Kettle, red" and rows[0]["price"] == "19.99"
    assert list(rows[0]) == list(products.EXPORT_FIELDS)

    # Into an empty database, then the same export again.
    with session_scope(engine) as session:
        for product in products.list_products(session):
            products.remove_product(session, product.id or 0)
    with session_scope(engine) as session:
        report = product_import.import_products(session, as_csv)
    assert report.summary() == "2 added, 0 skipped, 0 invalid"
    with session_scope(engine) as session:
        again = json.loads(products.export_products(session, "json"))
    assert [(p["url"], p["name"]) for p in again] == [(p["url"], p["name"]) for p in as_json]
    with session_scope(engine) as session, pytest.raises(InputError):
        products.export_products(session, "xml")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (None, None),
        (Decimal("19.9900"), "19.99"),
        (Decimal("20"), "20.00"),
        (Decimal("0.125"), "0.125"),
        (Decimal("1500.0000"), "1500.00"),
        (Decimal("1E+3"), "1000.00"),
    ],
)
def test_decimal_text(amount: Decimal | None, text: str | None) -> None:
    assert products.decimal_text(amount) == text


def test_import_single_url_column_keeps_commas(engine: Engine) -> None:
    text = 'URL\nhttps://shop.example/p?ids=1,2\n"https://shop.example/q?a=1,b"\n'
    with session_scope(engine) as session:
        report = product_import.import_products(session, text)
    assert [r.url for r in report.lines] == [
        "https://shop.example/p?ids=1,2",
        "https://shop.example/q?a=1,b",
    ]
    assert csv.excel.delimiter == ","  # the standard dialect is left alone
