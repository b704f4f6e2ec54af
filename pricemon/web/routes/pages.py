"""The dashboard, and signing in and out."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pricemon.web import charts, queries
from pricemon.web.auth import ADMIN_USER, SESSION_USER_KEY, LoginLimiter, password_matches
from pricemon.web.deps import SessionDep, SettingsDep, flash, render, verify_csrf

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


def table_context(session: SessionDep, page: queries.ProductPage) -> dict[str, object]:
    """What the product table shows beside each product: 30-day average and sparkline."""
    ids = [p.id for p in page.products if p.id is not None]
    now = datetime.now(UTC)
    lines = queries.sparklines(session, ids)
    return {
        "page": page,
        "averages": queries.averages_since(session, ids, now - timedelta(days=30)),
        "sparks": {pid: charts.sparkline(points) for pid, points in lines.items()},
        "now": now,
    }


# The cards count over every product and the last day of history; with 10,000 products that
# is tens of milliseconds, so they are computed at most every STATS_TTL_S per process (and
# again after a change made here). docs/performance.md has the figures.
STATS_TTL_S = 30.0


def cached_stats(request: Request, session: SessionDep) -> queries.DashboardStats:
    cached: tuple[float, queries.DashboardStats] | None = request.app.state.stats_cache
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    stats = queries.dashboard_stats(session, now=datetime.now(UTC))
    request.app.state.stats_cache = (time.monotonic() + STATS_TTL_S, stats)
    return stats


def forget_stats(request: Request) -> None:
    """After adding, changing or deleting products: the next dashboard recounts."""
    request.app.state.stats_cache = None


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, page: int = 1) -> Response:
    """Stats cards and the active products with their trends."""
    found = queries.page_of_products(session, active=True, sort="checked", page=page)
    context = {
        "stats": cached_stats(request, session),
        **table_context(session, found),
        "page_url": "/?",
    }
    return render(request, "dashboard.html", context)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: "//evil.example" and "https://..." would be open redirects.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, next: str = "/") -> Response:
    if settings.admin_password is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    settings: SettingsDep,
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password (rate-limited per client address) and start a session."""
    limiter: LoginLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    target = _safe_next(next)
    if limiter.blocked(client):
        error = "Too many failed attempts. Wait a minute and try again."
        return render(request, "login.html", {"next": target, "error": error}, status_code=429)
    if not password_matches(settings, password):
        limiter.record_failure(client)
        error = "Wrong password."
        return render(request, "login.html", {"next": target, "error": error}, status_code=401)
    limiter.reset(client)
    request.session.clear()  # a fresh session (and CSRF token) after signing in
    request.session[SESSION_USER_KEY] = ADMIN_USER
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    flash(request, "Signed out.")
    return RedirectResponse("/login", status_code=303)
