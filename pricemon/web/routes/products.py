"""Product pages: the list (search, filter, sort, add, import, export) and one product."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pricemon import product_import
from pricemon import products as service
from pricemon.errors import InputError, QueueError
from pricemon.web import actions, charts, queries
from pricemon.web.deps import SessionDep, SettingsDep, flash, render, verify_csrf
from pricemon.web.forms import alert_changes, optional_decimal
from pricemon.web.routes.pages import forget_stats, table_context

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

MAX_IMPORT_BYTES = 2_000_000
RECORDS_SHOWN = 20
STATUSES = ("pending", "ok", "failing", "blocked", "out_of_stock")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/products", response_class=HTMLResponse)
def product_list(
    request: Request,
    session: SessionDep,
    q: str = "",
    active: str = "",
    status: str = "",
    sort: str = "name",
    page: int = 1,
) -> Response:
    """All products, with search, filters, sort and pages; the add and import forms."""
    active_filter = {"yes": True, "no": False}.get(active)
    found = queries.page_of_products(
        session,
        search=q or None,
        active=active_filter,
        status=status if status in STATUSES else None,
        sort=sort if sort in queries.SORTS else "name",
        page=page,
    )
    filters = {"q": q, "active": active, "status": status, "sort": sort}
    from urllib.parse import urlencode

    context = {
        **table_context(session, found),
        "filters": filters,
        "statuses": STATUSES,
        "sorts": queries.SORTS,
        "page_url": "/products?" + urlencode({k: v for k, v in filters.items() if v}) + "&",
    }
    return render(request, "products.html", context)


@router.post("/products")
def add(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    url: Annotated[str, Form(max_length=2048)] = "",
    name: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Save the product, queue its first check and show its page (which waits for it)."""
    try:
        product = service.add_product(session, url, name=name.strip() or None)
    except InputError as error:
        flash(request, f"{error.message}" + (f" ({error.hint})" if error.hint else ""), "error")
        return _see_other("/products")
    session.commit()
    forget_stats(request)
    assert product.id is not None
    first = actions.queue_first_check(settings, product.id)
    flash(request, f"Added {product.display_name}: {first.message}.", "ok")
    return _see_other(f"/products/{product.id}")


@router.post("/products/import")
async def import_csv(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Add every URL of a CSV file (url[,name] per line); reports added/skipped/invalid."""
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        flash(request, "That file is larger than 2 MB; split it and import the parts.", "error")
        return _see_other("/products")
    from starlette.concurrency import run_in_threadpool

    text = data.decode("utf-8", errors="replace")
    summary = await run_in_threadpool(_import, request, text)
    forget_stats(request)
    flash(request, summary, "ok")
    return _see_other("/products")


def _import(request: Request, text: str) -> str:
    """Import in one transaction, then queue the first check of every product added."""
    from pricemon.db import session_scope

    with session_scope(request.app.state.engine) as session:
        report = product_import.import_products(session, text)
    problems = [f"line {line.line}: {line.reason}" for line in report.lines if line.reason]
    summary = f"Import: {report.summary()}." + (f" {'; '.join(problems[:5])}" if problems else "")
    if report.added_ids:
        try:
            actions.queue_checks(request.app.state.settings, report.added_ids)
        except QueueError:
            summary += " First checks are pending (the job queue is unreachable)."
    return summary


@router.get("/products/export.csv")
def export_csv(session: SessionDep) -> Response:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        service.export_products(session, "csv"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pricemon-products-{stamp}.csv"'},
    )


@router.get("/products/{product_id}", response_class=HTMLResponse)
def product_page(
    request: Request, session: SessionDep, product_id: int, range: str = "30d"
) -> Response:
    """History chart with min/max/average, the records, the recent check runs."""
    product = service.get_product(session, product_id)
    range_key = range if range in queries.RANGES else "30d"
    now = datetime.now(UTC)
    since = queries.range_start(range_key, now=now)
    points = queries.chart_points(session, product_id, since)
    context = {
        "product": product,
        "range": range_key,
        "ranges": list(queries.RANGES),
        "stats": queries.history_stats(session, product_id, since),
        "chart": charts.history_chart(points, currency=product.currency),
        "records": queries.history(session, product_id, since, limit=RECORDS_SHOWN),
        "runs": queries.recent_runs(session, product_id),
        "now": now,
    }
    return render(request, "product.html", context)


@router.post("/products/{product_id}/edit")
def edit(
    request: Request,
    session: SessionDep,
    product_id: int,
    name: Annotated[str, Form(max_length=500)] = "",
    active: Annotated[str, Form()] = "",
    alert_target_price: Annotated[str, Form(max_length=40)] = "",
    alert_drop_percent: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    product = service.get_product(session, product_id)
    try:
        target = optional_decimal(alert_target_price, "target price", low=0, high=None)
        drop = optional_decimal(alert_drop_percent, "drop", low=0, high=100)
    except InputError as error:
        flash(request, error.message, "error")
        return _see_other(f"/products/{product_id}#edit")
    changes = {"name": name.strip() or None, "active": active == "on"}
    changes.update(alert_changes(product, target=target, drop_percent=drop))
    service.update_product(session, product_id, **changes)
    forget_stats(request)
    flash(request, "Saved.", "ok")
    return _see_other(f"/products/{product_id}")


@router.post("/products/{product_id}/check")
def check_now(
    request: Request, session: SessionDep, settings: SettingsDep, product_id: int
) -> Response:
    service.get_product(session, product_id)
    try:
        actions.queue_check(settings, product_id)
        flash(request, "Check queued; this page updates when it lands.", "ok")
    except QueueError as error:
        flash(request, f"Could not queue the check: {error.message}", "error")
    return _see_other(f"/products/{product_id}?checking=1")


@router.get("/products/{product_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, session: SessionDep, product_id: int) -> Response:
    product = service.get_product(session, product_id)
    return render(request, "confirm_delete.html", {"product": product})


@router.post("/products/{product_id}/delete")
def delete(request: Request, session: SessionDep, product_id: int) -> Response:
    product = service.get_product(session, product_id)
    label = product.display_name
    service.remove_product(session, str(product_id))
    forget_stats(request)
    flash(request, f"Deleted {label} and its history.", "ok")
    return _see_other("/products")
