"""The products service: add, find, list, change, remove and export products.

The CLI and the web dashboard both call these functions, so the rules (URLs normalised, one
product per URL, names trimmed) live in one place. Every function takes an open
`sqlmodel.Session` and only *flushes*: the caller commits, normally with
`pricemon.db.session_scope(engine)`, so a whole import (`pricemon.product_import`) is one
transaction.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pricemon.domain.urls import normalise_url
from pricemon.errors import DuplicateError, InputError, NotFoundError
from pricemon.models import Product, utcnow

MAX_NAME_LENGTH = 500
EXPORT_FORMATS = ("csv", "json")

# The keys of `product_to_dict`, in the order `products export --format csv` writes them.
EXPORT_FIELDS = (
    "id",
    "url",
    "name",
    "title",
    "price",
    "previous_price",
    "currency",
    "availability",
    "status",
    "active",
    "last_checked_at",
    "last_success_at",
    "last_error",
    "failing_since",
    "alert_target_price",
    "alert_drop_percent",
    "image_url",
    "created_at",
    "updated_at",
)


def _display_order() -> Any:
    return sa.func.lower(sa.func.coalesce(Product.name, Product.title, Product.url))


def _as_number(column: Any) -> Any:
    # Money is text on SQLite; compare it as a number there (a no-op cast on PostgreSQL).
    return sa.cast(column, sa.Numeric())


SORTS: dict[str, Any] = {
    "name": lambda: [_display_order(), Product.id],
    "newest": lambda: [col(Product.created_at).desc(), col(Product.id).desc()],
    "oldest": lambda: [Product.created_at, Product.id],
    "price": lambda: [_as_number(Product.last_price).asc().nulls_last(), Product.id],
    "-price": lambda: [_as_number(Product.last_price).desc().nulls_last(), Product.id],
    "checked": lambda: [col(Product.last_checked_at).desc().nulls_last(), Product.id],
    "status": lambda: [Product.status, _display_order(), Product.id],
}


def _clean_name(name: str | None) -> str | None:
    if name is None or not name.strip():
        return None
    name = " ".join(name.split())
    if len(name) > MAX_NAME_LENGTH:
        raise InputError(
            f"the name is {len(name)} characters long (at most {MAX_NAME_LENGTH})",
            hint="give a shorter name",
        )
    return name


def product_by_url(session: Session, url: str) -> Product | None:
    """The product monitoring `url` (already normalised), if any."""
    return session.exec(select(Product).where(Product.url == url)).first()


def _duplicate(url: str, existing: Product) -> DuplicateError:
    return DuplicateError(
        f"{url} is already monitored (product {existing.id})",
        hint=f"see it with `pricemon products list`; remove it with "
        f"`pricemon products remove {existing.id}`",
    )


def _flush_new(session: Session, product: Product) -> Product:
    """Flush an insert; a concurrent insert of the same URL becomes DuplicateError.

    The caller's transaction is then unusable and must be rolled back (session_scope does).
    """
    session.add(product)
    try:
        session.flush()
    except IntegrityError:
        raise DuplicateError(
            f"{product.url} is already monitored",
            hint="see it with `pricemon products list`",
        ) from None
    return product


def add_product(session: Session, url: str, *, name: str | None = None) -> Product:
    """Start monitoring `url` (normalised first); returns the new product, status pending.

    Raises InputError for an invalid URL or name, DuplicateError when the normalised URL
    is already monitored.
    """
    normalised = normalise_url(url)
    clean_name = _clean_name(name)
    existing = product_by_url(session, normalised)
    if existing is not None:
        raise _duplicate(normalised, existing)
    return _flush_new(session, Product(url=normalised, name=clean_name))


def get_product(session: Session, product_id: int) -> Product:
    """The product with id `product_id`, or NotFoundError."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError(
            f"there is no product {product_id}",
            hint="`pricemon products list` shows the ids",
        )
    return product


def find_product(session: Session, id_or_url: str | int) -> Product:
    """The product named by an id (`12`) or a URL (any spelling that normalises to it).

    Raises NotFoundError when there is none, InputError when the text is neither.
    """
    if isinstance(id_or_url, int) or str(id_or_url).strip().isdigit():
        return get_product(session, int(id_or_url))
    url = normalise_url(str(id_or_url))
    product = product_by_url(session, url)
    if product is None:
        raise NotFoundError(
            f"{url} is not monitored", hint="`pricemon products list` shows every product"
        )
    return product


def list_products(
    session: Session,
    *,
    search: str | None = None,
    active: bool | None = None,
    status: str | None = None,
    sort: str = "name",
) -> list[Product]:
    """Products matching every filter given, ordered by `sort` (a key of SORTS).

    `search` matches name, page title or URL, case-insensitively.
    """
    if sort not in SORTS:
        raise InputError(f"unknown sort {sort!r}", hint=f"use one of: {', '.join(SORTS)}")
    query = select(Product)
    if search and search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Product.url).like(pattern),
                sa.func.lower(sa.func.coalesce(Product.name, "")).like(pattern),
                sa.func.lower(sa.func.coalesce(Product.title, "")).like(pattern),
            )
        )
    if active is not None:
        query = query.where(Product.active == active)
    if status is not None:
        query = query.where(Product.status == status)
    return list(session.exec(query.order_by(*SORTS[sort]())).all())


def _decimal_change(name: str, value: Any, *, maximum: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise InputError(f"{name} must be an exact decimal, not a float")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(f"{name} {value!r} is not a number") from None
    if not amount.is_finite() or amount <= 0 or (maximum is not None and amount > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise InputError(f"{name} must be greater than 0{limit} (got {value})")
    return amount


def update_product(session: Session, product_id: int, **changes: Any) -> Product:
    """Change a product's `url`, `name`, `active` flag or alert rule; returns it.

    Alert rule fields are `alert_target_price` and `alert_drop_percent` (Decimal, str or
    None to clear). Changing the rule re-arms it and takes the current price as the
    reference a percentage drop is measured from.
    """
    allowed = {"url", "name", "active", "alert_target_price", "alert_drop_percent"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InputError(
            f"cannot change {', '.join(unknown)}", hint=f"changeable: {', '.join(sorted(allowed))}"
        )
    product = get_product(session, product_id)
    if "url" in changes:
        url = normalise_url(changes["url"])
        existing = product_by_url(session, url)
        if existing is not None and existing.id != product.id:
            raise _duplicate(url, existing)
        product.url = url
    if "name" in changes:
        product.name = _clean_name(changes["name"])
    if "active" in changes:
        product.active = bool(changes["active"])
    if {"alert_target_price", "alert_drop_percent"} & set(changes):
        if "alert_target_price" in changes:
            product.alert_target_price = _decimal_change(
                "alert_target_price", changes["alert_target_price"]
            )
        if "alert_drop_percent" in changes:
            product.alert_drop_percent = _decimal_change(
                "alert_drop_percent", changes["alert_drop_percent"], maximum=Decimal(100)
            )
        product.alert_reference_price = product.last_price
        product.alert_armed = True
    product.updated_at = utcnow()
    session.add(product)
    session.flush()
    return product


def remove_product(session: Session, id_or_url: str | int) -> Product:
    """Stop monitoring a product and delete its history; returns the removed product."""
    product = find_product(session, id_or_url)
    session.delete(product)
    session.flush()
    return product


# Export -------------------------------------------------------------------------------------


def decimal_text(amount: Decimal | None) -> str | None:
    """A money amount as text, the same on every backend: at least two decimals, no
    trailing zeros beyond them ("19.9900" -> "19.99", "20" -> "20.00", "0.125" -> "0.125")."""
    if amount is None:
        return None
    text = format(amount, "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"{whole}.{fraction}"


def _timestamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def product_to_dict(product: Product) -> dict[str, Any]:
    """The JSON shape of a product (`products list --json`, export, the web API).

    Money is a decimal string or null; timestamps are ISO 8601 with their UTC offset.
    """
    return {
        "id": product.id,
        "url": product.url,
        "name": product.name,
        "title": product.title,
        "price": decimal_text(product.last_price),
        "previous_price": decimal_text(product.previous_price),
        "currency": product.currency,
        "availability": product.last_availability,
        "status": product.status,
        "active": product.active,
        "last_checked_at": _timestamp(product.last_checked_at),
        "last_success_at": _timestamp(product.last_success_at),
        "last_error": product.last_error,
        "failing_since": _timestamp(product.failing_since),
        "alert_target_price": decimal_text(product.alert_target_price),
        "alert_drop_percent": decimal_text(product.alert_drop_percent),
        "image_url": product.image_url,
        "created_at": _timestamp(product.created_at),
        "updated_at": _timestamp(product.updated_at),
    }


def export_products(session: Session, fmt: str) -> str:
    """Every product as `csv` (a header row of EXPORT_FIELDS) or `json` (an array).

    The CSV can be read back by `import_products` (it has `url` and `name` columns).
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}", hint="use csv or json")
    rows = [product_to_dict(p) for p in list_products(session, sort="oldest")]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
