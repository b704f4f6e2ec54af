"""Read queries for the dashboard: aggregates computed by the database, one query per table.

Pages show at most one page of products (`PAGE_SIZE`), and every per-product figure for that
page (30-day average, sparkline points) is fetched for all of the page's ids in one query
that walks the `(product_id, checked_at)` index, so the cost does not grow with the number
of products or records (no N+1). SQLite stores money as text, so aggregates cast to a number
first; results come back as Decimal rounded to cents, or as floats for chart points.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from pricemon.models import CheckRun, PriceRecord, Product, ProductStatus

PAGE_SIZE = 50
SPARKLINE_POINTS = 20
SORTS = ("name", "price", "checked", "status", "added")
RANGES: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "180d": 180, "all": None}

_CENT = Decimal("0.01")
# Core tables: aggregates and window functions read better in SQLAlchemy Core.
PRODUCTS: sa.Table = Product.__table__  # type: ignore[attr-defined]
RECORDS: sa.Table = PriceRecord.__table__  # type: ignore[attr-defined]
RUNS: sa.Table = CheckRun.__table__  # type: ignore[attr-defined]


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(_CENT)


def _amount_as_float() -> sa.ColumnElement[float]:
    # Money is NUMERIC on PostgreSQL and text on SQLite: cast for min/max/avg to compare numbers.
    return sa.cast(RECORDS.c.amount, sa.Float)


@dataclass(frozen=True)
class DashboardStats:
    active_products: int
    checks_24h: int
    failing: int
    changes_24h: int


def dashboard_stats(session: Session, *, now: datetime) -> DashboardStats:
    """The four cards: active products, checks and price changes in 24 h, failing products."""
    since = now - timedelta(hours=24)
    product = PRODUCTS.c
    counts = session.execute(
        sa.select(
            sa.func.count().filter(product.active.is_(True)),
            sa.func.count().filter(
                product.active.is_(True),
                product.status.in_([ProductStatus.FAILING, ProductStatus.BLOCKED]),
            ),
        )
    ).one()
    checks = session.execute(
        sa.select(sa.func.count()).where(RUNS.c.started_at >= since)
    ).scalar_one()
    return DashboardStats(
        active_products=counts[0],
        checks_24h=checks,
        failing=counts[1],
        changes_24h=_changes_since(session, since),
    )


# PostgreSQL: walk each recently checked product's slice of the (product_id, checked_at)
# index: its last record before the window and its records inside it, compared in order.
# A plain join lets the planner scan the index by checked_at alone, which PostgreSQL before
# 18 can only do as a full scan of the table.
_CHANGES_PG = sa.text(
    """
    SELECT count(*)
    FROM product AS p
    CROSS JOIN LATERAL (
        SELECT w.amount, lag(w.amount) OVER (ORDER BY w.checked_at) AS before
        FROM (
            (SELECT amount, checked_at FROM price_record
              WHERE product_id = p.id AND checked_at < :since
              ORDER BY checked_at DESC LIMIT 1)
            UNION ALL
            (SELECT amount, checked_at FROM price_record
              WHERE product_id = p.id AND checked_at >= :since)
        ) AS w
    ) AS c
    WHERE p.last_checked_at >= :since AND c.before IS NOT NULL AND c.amount <> c.before
    """
)


def _changes_since(session: Session, since: datetime) -> int:
    """Price records since `since` whose amount differs from the product's previous record.

    Only products checked since then can have such records (`last_checked_at` moves on every
    check), so the work grows with the products checked in the window, not with history.
    """
    if session.get_bind().dialect.name == "postgresql":
        return int(session.execute(_CHANGES_PG, {"since": since}).scalar_one())
    record = RECORDS.c
    recent = RECORDS.alias("recent")
    previous = (
        sa.select(record.amount)
        .where(record.product_id == recent.c.product_id)
        .where(record.checked_at < recent.c.checked_at)
        .order_by(record.checked_at.desc())
        .limit(1)
        .correlate(recent)
        .scalar_subquery()
    )
    checked_ids = sa.select(PRODUCTS.c.id).where(PRODUCTS.c.last_checked_at >= since)
    query = sa.select(sa.func.count()).where(
        recent.c.product_id.in_(checked_ids),
        recent.c.checked_at >= since,
        recent.c.amount != previous,
    )
    return int(session.execute(query).scalar_one())


@dataclass(frozen=True)
class ProductPage:
    products: list[Product]
    total: int
    page: int
    pages: int


def _sort_clause(sort: str) -> list[Any]:
    product = PRODUCTS.c
    label = sa.func.lower(sa.func.coalesce(product.name, product.title, product.url))
    orders: dict[str, list[Any]] = {
        "name": [label],
        "price": [product.last_price.is_(None), product.last_price, label],
        # No name tie-break: computing it for every row costs more than the sort itself.
        "checked": [product.last_checked_at.is_(None), product.last_checked_at.desc()],
        "status": [product.status, label],
        "added": [product.created_at.desc()],
    }
    return [*orders.get(sort, orders["name"]), product.id]


def _filters(*, search: str | None, active: bool | None, status: str | None) -> list[Any]:
    product = PRODUCTS.c
    conditions: list[Any] = []
    if search:
        pattern = f"%{search.strip().lower()}%"
        conditions.append(
            sa.or_(
                sa.func.lower(product.url).like(pattern),
                sa.func.lower(sa.func.coalesce(product.name, "")).like(pattern),
                sa.func.lower(sa.func.coalesce(product.title, "")).like(pattern),
            )
        )
    if active is not None:
        conditions.append(product.active.is_(active))
    if status:
        conditions.append(product.status == status)
    return conditions


def page_of_products(
    session: Session,
    *,
    search: str | None = None,
    active: bool | None = None,
    status: str | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> ProductPage:
    """One page of products matching the filters, and how many match in total."""
    conditions = _filters(search=search, active=active, status=status)
    total = session.execute(
        sa.select(sa.func.count()).select_from(PRODUCTS).where(*conditions)
    ).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    # Sort narrow rows (id and sort key) first, then load the page's 50 whole rows: sorting
    # 10,000 whole rows costs twice as much.
    ids_query = (
        sa.select(PRODUCTS.c.id)
        .where(*conditions)
        .order_by(*_sort_clause(sort))
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    ids = list(session.scalars(ids_query))
    rows = session.scalars(sa.select(Product).where(col(Product.id).in_(ids))) if ids else ()
    by_id: dict[int | None, Product] = {row.id: row for row in rows}
    products = [by_id[i] for i in ids if i in by_id]
    return ProductPage(products=products, total=total, page=page, pages=pages)


def averages_since(session: Session, product_ids: list[int], since: datetime) -> dict[int, Decimal]:
    """Average recorded price per product since `since`, for the given products only."""
    if not product_ids:
        return {}
    record = RECORDS.c
    rows = session.execute(
        sa.select(record.product_id, sa.func.avg(_amount_as_float()))
        .where(record.product_id.in_(product_ids), record.checked_at >= since)
        .group_by(record.product_id)
    )
    return {pid: avg for pid, value in rows if (avg := _number(value)) is not None}


# PostgreSQL: the newest N records of each product straight from the index (LIMIT per
# product), instead of numbering every record of the page's products.
_SPARKLINES_PG = sa.text(
    """
    SELECT p.id, s.amount
    FROM unnest(CAST(:ids AS integer[])) AS p(id)
    CROSS JOIN LATERAL (
        SELECT amount, checked_at FROM price_record
        WHERE product_id = p.id ORDER BY checked_at DESC LIMIT :points
    ) AS s
    ORDER BY p.id, s.checked_at
    """
)


def sparklines(
    session: Session, product_ids: list[int], *, points: int = SPARKLINE_POINTS
) -> dict[int, list[float]]:
    """The last `points` recorded amounts per product, oldest first."""
    if not product_ids:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        params = {"ids": product_ids, "points": points}
        rows: Any = session.execute(_SPARKLINES_PG, params)
    else:
        record = RECORDS.c
        rank = (
            sa.func.row_number()
            .over(partition_by=record.product_id, order_by=record.checked_at.desc())
            .label("rank")
        )
        ranked = (
            sa.select(record.product_id, record.amount, record.checked_at, rank)
            .where(record.product_id.in_(product_ids))
            .subquery()
        )
        rows = session.execute(
            sa.select(ranked.c.product_id, ranked.c.amount)
            .where(ranked.c.rank <= points)
            .order_by(ranked.c.product_id, ranked.c.checked_at)
        )
    result: dict[int, list[float]] = defaultdict(list)
    for product_id, amount in rows:
        result[product_id].append(float(amount))
    return dict(result)


@dataclass(frozen=True)
class RangeStats:
    count: int
    minimum: Decimal | None
    maximum: Decimal | None
    average: Decimal | None


def range_start(range_key: str, *, now: datetime) -> datetime | None:
    """When a history range ("7d", "30d", ..., "all") starts; None for all time."""
    days = RANGES.get(range_key, RANGES["30d"])
    return None if days is None else now - timedelta(days=days)


def history_stats(session: Session, product_id: int, since: datetime | None) -> RangeStats:
    """Count, minimum, maximum and average price of one product since `since`."""
    record = RECORDS.c
    amount = _amount_as_float()
    query = sa.select(
        sa.func.count(), sa.func.min(amount), sa.func.max(amount), sa.func.avg(amount)
    ).where(record.product_id == product_id)
    if since is not None:
        query = query.where(record.checked_at >= since)
    count, low, high, avg = session.execute(query).one()
    return RangeStats(
        count=count, minimum=_number(low), maximum=_number(high), average=_number(avg)
    )


def history(
    session: Session, product_id: int, since: datetime | None, *, limit: int | None = None
) -> list[PriceRecord]:
    """Price records of one product since `since`, newest first (at most `limit`)."""
    query = sa.select(PriceRecord).where(col(PriceRecord.product_id) == product_id)
    if since is not None:
        query = query.where(col(PriceRecord.checked_at) >= since)
    query = query.order_by(col(PriceRecord.checked_at).desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def chart_points(
    session: Session, product_id: int, since: datetime | None, *, max_points: int = 400
) -> list[tuple[datetime, float]]:
    """(time, amount) pairs for the chart, oldest first, thinned to about `max_points`.

    Thinning keeps every n-th record plus the range's lowest and highest, so spikes stay
    visible however long the history is.
    """
    record = RECORDS.c
    query = sa.select(record.checked_at, record.amount).where(record.product_id == product_id)
    if since is not None:
        query = query.where(record.checked_at >= since)
    rows = [
        (at, float(amount)) for at, amount in session.execute(query.order_by(record.checked_at))
    ]
    if len(rows) <= max_points:
        return rows
    step = -(-len(rows) // max_points)
    keep = set(range(0, len(rows), step)) | {len(rows) - 1}
    keep.add(min(range(len(rows)), key=lambda i: rows[i][1]))
    keep.add(max(range(len(rows)), key=lambda i: rows[i][1]))
    return [rows[i] for i in sorted(keep)]


def recent_runs(session: Session, product_id: int, *, limit: int = 20) -> list[CheckRun]:
    """The latest check runs of one product, newest first, errors included."""
    query = (
        sa.select(CheckRun)
        .where(col(CheckRun.product_id) == product_id)
        .order_by(col(CheckRun.started_at).desc(), col(CheckRun.id).desc())
        .limit(limit)
    )
    return list(session.scalars(query))
