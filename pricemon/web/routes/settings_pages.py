"""The settings page: digest schedule and recipients, "send digest now", "check all now"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pricemon import digest_settings
from pricemon.errors import InputError, QueueError
from pricemon.web import actions, schedule_form
from pricemon.web.deps import SessionDep, SettingsDep, flash, render, verify_csrf

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    row = digest_settings.get_app_settings(session, settings)
    context = {
        "row": row,
        "next_runs": actions.next_send_times(row, settings, now=datetime.now(UTC)),
        "timezones": schedule_form.timezones(),
        "days": schedule_form.DAYS,
        "cron_override": settings.digest_cron,
    }
    return render(request, "settings.html", context)


def _int(text: str, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{field} must be a whole number, got {text[:20]!r}") from None


@router.post("/settings")
def save_settings(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    enabled: Annotated[str, Form()] = "",
    frequency: Annotated[str, Form(max_length=10)] = "daily",
    day: Annotated[str, Form(max_length=2)] = "0",
    hour: Annotated[str, Form(max_length=2)] = "9",
    minute: Annotated[str, Form(max_length=2)] = "0",
    timezone: Annotated[str, Form(max_length=64)] = "UTC",
    recipients: Annotated[str, Form(max_length=2000)] = "",
    refresh: Annotated[str, Form()] = "",
) -> Response:
    """Validate and store the schedule, then tell the workers (or say they will catch up)."""
    try:
        row = digest_settings.update_schedule(
            session,
            settings,
            enabled=enabled == "on",
            frequency=frequency,
            day=_int(day, "day"),
            hour=_int(hour, "hour"),
            minute=_int(minute, "minute"),
            timezone=timezone,
            recipients=schedule_form.parse_recipients(recipients),
        )
        row.digest_refresh = refresh == "on"
    except InputError as error:
        flash(request, error.message + (f" ({error.hint})" if error.hint else ""), "error")
        return RedirectResponse("/settings", status_code=303)
    session.commit()
    if actions.schedule_changed(settings):
        flash(request, "Schedule saved.", "ok")
    else:
        flash(
            request,
            "Schedule saved; Redis is unreachable, so the workers pick it up at their next sync.",
            "ok",
        )
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/send-digest")
def send_digest(request: Request, settings: SettingsDep) -> Response:
    try:
        actions.queue_digest(settings)
        flash(request, "Digest queued: it goes out as soon as a worker picks it up.", "ok")
    except QueueError as error:
        flash(request, f"Could not queue the digest: {error.message}", "error")
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/check-all")
def check_all(request: Request, settings: SettingsDep) -> Response:
    try:
        actions.queue_check_all(settings)
        flash(request, "Checks of every active product queued.", "ok")
    except QueueError as error:
        flash(request, f"Could not queue the checks: {error.message}", "error")
    # Back to the page the button was on (its path only: never another site).
    back = urlsplit(request.headers.get("referer", "")).path or "/settings"
    return RedirectResponse(back if back.startswith("/") else "/settings", status_code=303)
