"""Request dependencies: settings, a database session, template rendering, flash messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from pricemon.config import Settings
from pricemon.db import session_scope
from pricemon.web.auth import CSRF_FIELD, csrf_token, csrf_valid


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(request: Request) -> Iterator[Session]:
    """A session that commits when the route returns and rolls back when it raises."""
    with session_scope(get_engine(request)) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def flash(request: Request, text: str, kind: str = "info") -> None:
    """A message shown once, on the next page rendered for this session."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, text])
    request.session["flash"] = messages[-5:]


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with what every page needs: CSRF token, flash messages, auth state."""
    settings = get_settings(request)
    base = {
        "request": request,
        "csrf_token": csrf_token(request.session),
        "flashes": request.session.pop("flash", []),
        "auth_enabled": settings.admin_password is not None,
        "signed_in": request.session.get("user") is not None,
    }
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    return response


async def verify_csrf(request: Request) -> None:
    """Reject a form post without this session's CSRF token (403).

    Requests signed in with HTTP Basic carry no cookie a forged cross-site post could ride
    on (we never send a Basic challenge, so browsers never cache those credentials).
    """
    if request.method != "POST" or getattr(request.state, "auth", None) == "basic":
        return
    form = await request.form()
    if not csrf_valid(request.session, form.get(CSRF_FIELD)):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
