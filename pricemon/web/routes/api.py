"""The JSON API under /api (OpenAPI docs at /api/docs).

Status codes: 201 created, 202 accepted (a job was queued), 204 deleted, 404 unknown
product, 409 URL already monitored, 422 invalid input, 503 database or Redis unreachable
(with a message). Adding a product while Redis is down still saves it: the answer says its
first check is pending.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from pricemon import digest_settings
from pricemon import products as service
from pricemon.web import actions, queries, schedule_form
from pricemon.web.deps import SessionDep, SettingsDep
from pricemon.web.forms import alert_changes

router = APIRouter(prefix="/api", tags=["api"])

RangeKey = Literal["7d", "30d", "90d", "180d", "all"]
SortKey = Literal["name", "price", "checked", "status", "added"]


class ProductCreate(BaseModel):
    url: str = Field(min_length=1, max_length=2048, examples=["https://shop.example/p/42"])
    name: str | None = Field(None, max_length=500)


class ProductUpdate(BaseModel):
    """Only the fields given are changed; null clears the name or an alert rule."""

    name: str | None = Field(None, max_length=500)
    active: bool | None = None
    alert_target_price: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=4)
    alert_drop_percent: Decimal | None = Field(None, gt=0, lt=100, max_digits=6, decimal_places=2)


class DigestSettingsIn(BaseModel):
    digest_enabled: bool
    digest_frequency: Literal["daily", "weekly"]
    digest_day: int = Field(0, ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    digest_hour: int = Field(ge=0, le=23)
    digest_minute: int = Field(0, ge=0, le=59)
    digest_timezone: str = Field(max_length=64, examples=["Europe/Berlin"])
    digest_recipients: list[str] = Field(default_factory=list, max_length=50)
    digest_refresh: bool | None = None


class DigestRequest(BaseModel):
    to: list[str] | None = Field(None, max_length=50, description="default: the recipients")


@router.get("/products")
def list_products(
    session: SessionDep,
    search: str | None = None,
    active: bool | None = None,
    status: str | None = None,
    sort: SortKey = "name",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Products matching the filters, one page at a time."""
    found = queries.page_of_products(
        session,
        search=search,
        active=active,
        status=status,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return {
        "items": [service.product_to_dict(p) for p in found.products],
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
    }


@router.post("/products", status_code=201)
def create_product(
    body: ProductCreate, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Add a product and queue its first check (409 when the URL is already monitored)."""
    product = service.add_product(session, body.url, name=body.name)
    session.commit()  # the worker must see the product before it runs the check
    assert product.id is not None
    first = actions.queue_first_check(settings, product.id)
    return {
        "product": service.product_to_dict(product),
        "first_check": {"status": first.status, "job_id": first.job_id, "message": first.message},
    }


@router.get("/products/{product_id}")
def read_product(product_id: int, session: SessionDep) -> dict[str, Any]:
    return service.product_to_dict(service.get_product(session, product_id))


@router.patch("/products/{product_id}")
def update_product(product_id: int, body: ProductUpdate, session: SessionDep) -> dict[str, Any]:
    """Change the name, the active flag or the alert rule."""
    given = body.model_dump(exclude_unset=True)
    product = service.get_product(session, product_id)
    changes: dict[str, Any] = {key: given[key] for key in ("name", "active") if key in given}
    if "alert_target_price" in given or "alert_drop_percent" in given:
        changes.update(
            alert_changes(
                product,
                target=given.get("alert_target_price", product.alert_target_price),
                drop_percent=given.get("alert_drop_percent", product.alert_drop_percent),
            )
        )
    product = service.update_product(session, product_id, **changes)
    return service.product_to_dict(product)


@router.delete("/products/{product_id}", status_code=204)
def delete_product(product_id: int, session: SessionDep) -> Response:
    service.get_product(session, product_id)
    service.remove_product(session, str(product_id))
    return Response(status_code=204)


@router.post("/products/{product_id}/check", status_code=202)
def check_product(product_id: int, session: SessionDep, settings: SettingsDep) -> dict[str, str]:
    """Queue a check of one product now (503 when Redis is down)."""
    service.get_product(session, product_id)
    return {"job_id": actions.queue_check(settings, product_id)}


@router.post("/checks", status_code=202)
def check_all(settings: SettingsDep) -> dict[str, str]:
    """Queue a check of every active product."""
    return {"job_id": actions.queue_check_all(settings)}


@router.get("/products/{product_id}/history")
def price_history(
    product_id: int,
    session: SessionDep,
    range: RangeKey = "30d",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> dict[str, Any]:
    """Price records in a range, newest first, with the range's min, max and average."""
    product = service.get_product(session, product_id)
    since = queries.range_start(range, now=datetime.now(UTC))
    stats = queries.history_stats(session, product_id, since)
    records = queries.history(session, product_id, since, limit=limit)
    return {
        "product_id": product.id,
        "range": range,
        "stats": {
            "count": stats.count,
            "min": service.decimal_text(stats.minimum),
            "max": service.decimal_text(stats.maximum),
            "avg": service.decimal_text(stats.average),
        },
        "records": [
            {
                "checked_at": r.checked_at.isoformat(),
                "amount": service.decimal_text(r.amount),
                "currency": r.currency,
                "availability": r.availability,
                "method": r.method,
            }
            for r in records
        ],
    }


def _settings_answer(row: Any, settings: SettingsDep) -> dict[str, Any]:
    runs = actions.next_send_times(row, settings, now=datetime.now(UTC))
    return {**schedule_form.to_dict(row), "next_runs": [run.isoformat() for run in runs]}


@router.get("/settings")
def read_settings(session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The digest schedule and its next three send times in its timezone."""
    return _settings_answer(digest_settings.get_app_settings(session, settings), settings)


@router.put("/settings")
def write_settings(
    body: DigestSettingsIn, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Replace the digest schedule; workers re-plan at once (or at their next sync)."""
    row = digest_settings.update_schedule(
        session,
        settings,
        enabled=body.digest_enabled,
        frequency=body.digest_frequency,
        day=body.digest_day,
        hour=body.digest_hour,
        minute=body.digest_minute,
        timezone=body.digest_timezone,
        recipients=body.digest_recipients,
    )
    if body.digest_refresh is not None:
        row.digest_refresh = body.digest_refresh
    session.commit()
    answer = _settings_answer(row, settings)
    answer["workers_notified"] = actions.schedule_changed(settings)
    return answer


@router.post("/digest", status_code=202)
def send_digest(settings: SettingsDep, body: DigestRequest | None = None) -> dict[str, str]:
    """Queue a digest email now (to the recipients, or to `to`)."""
    to = digest_settings.validate_emails(body.to) if body and body.to else None
    return {"job_id": actions.queue_digest(settings, to=to)}
