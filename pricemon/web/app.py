"""The application factory: `create_app(settings)` wires routes, middleware and errors.

Nothing is built at import time; `pricemon serve` and the tests call `create_app` with their
own settings (and may pass an engine).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from pricemon import __version__
from pricemon.config import Settings
from pricemon.db import engine_from_settings
from pricemon.errors import (
    DatabaseError,
    DuplicateError,
    InputError,
    NotFoundError,
    PricemonError,
    QueueError,
)
from pricemon.web import filters
from pricemon.web.auth import (
    LoginLimiter,
    basic_credentials,
    basic_matches,
    check_web_settings,
    csrf_valid,
    is_public,
    session_secret,
)
from pricemon.web.responses import SafeJSONResponse
from pricemon.web.routes import api, health, pages, products, settings_pages

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).parent
SESSION_COOKIE = "pricemon_session"
SESSION_MAX_AGE_S = 14 * 24 * 3600
# Pages load nothing from elsewhere; the API docs page needs its inline start-up script.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template (page text comes from shops)."""
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"), autoescape=True, auto_reload=False
    )
    filters.install(env)
    return Jinja2Templates(env=env)


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """The dashboard and JSON API for `settings` (raises ConfigError for unsafe settings)."""
    check_web_settings(settings)
    app = FastAPI(
        title="pricemon",
        version=__version__,
        description="Watch product prices, read their history and control the digest email.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        default_response_class=SafeJSONResponse,
    )
    app.state.settings = settings
    app.state.engine = engine or engine_from_settings(settings)
    app.state.templates = make_templates()
    app.state.login_limiter = LoginLimiter()
    app.state.stats_cache = None
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for module in (health, api, pages, products, settings_pages):
        app.include_router(module.router)
    _add_docs(app)
    _add_error_handlers(app)
    _add_middleware(app, settings)
    return app


def _add_docs(app: FastAPI) -> None:
    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="pricemon API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_response(request: Request, status: int, message: str, hint: str | None) -> Response:
    if _wants_json(request):
        return SafeJSONResponse({"detail": message, "hint": hint}, status_code=status)
    from pricemon.web.deps import render

    context = {"status": status, "message": message, "hint": hint}
    return render(request, "error.html", context, status_code=status)


def _status_for(error: PricemonError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, DuplicateError):
        return 409
    if isinstance(error, InputError):
        return 422
    if isinstance(error, QueueError | DatabaseError):
        return 503
    return 500


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PricemonError)
    async def pricemon_error(request: Request, error: PricemonError) -> Response:
        status = _status_for(error)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, error.message)
        return _error_response(request, status, error.message, error.hint)

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, error: OperationalError) -> Response:
        log.warning("%s %s: database error: %s", request.method, request.url.path, error.orig)
        return _error_response(
            request,
            503,
            "the database is unreachable",
            "check that the database is running and DATABASE_URL is right",
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if _wants_json(request):  # the API keeps FastAPI's field-by-field 422
            return await request_validation_exception_handler(request, error)
        # A page address with a malformed part (/products/abc) names no page.
        if any(e.get("loc", ("",))[0] == "path" for e in error.errors()):
            return _error_response(request, 404, "there is no such page", None)
        first = error.errors()[0] if error.errors() else {}
        field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "the form"
        message = f"{field}: {first.get('msg', 'invalid value')}"
        return _error_response(request, 422, message, "go back, correct the value, submit again")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return SafeJSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return _error_response(request, error.status_code, str(error.detail), None)


def _unauthorised(request: Request) -> Response:
    if _wants_json(request):
        return SafeJSONResponse(
            {"detail": "sign-in required", "hint": "send HTTP Basic credentials (user admin)"},
            status_code=401,
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _refusal(request: Request) -> Response | None:
    """Why this request may not proceed (None when it may); sets `request.state.auth`.

    Order: public paths, then the session cookie, then HTTP Basic (rate-limited per client
    address like the login form, so Basic cannot be used to guess the password faster).
    """
    settings: Settings = request.app.state.settings
    request.state.auth = None
    if settings.admin_password is None or is_public(request.url.path):
        return None
    if request.session.get("user"):
        request.state.auth = "session"
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        # JSON API calls made with the cookie must prove they come from our pages.
        token = request.headers.get("x-csrf-token")
        if (
            unsafe
            and request.url.path.startswith("/api")
            and not csrf_valid(request.session, token)
        ):
            return SafeJSONResponse({"detail": "missing or wrong X-CSRF-Token"}, 403)
        return None
    credentials = basic_credentials(request.headers.get("authorization"))
    if credentials is None:
        return _unauthorised(request)
    limiter: LoginLimiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    if limiter.blocked(client):
        return SafeJSONResponse({"detail": "too many failed sign-ins; wait a minute"}, 429)
    if not basic_matches(settings, *credentials):
        limiter.record_failure(client)
        return _unauthorised(request)
    request.state.auth = "basic"
    return None


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Sign-in inside the session middleware (it reads the cookie), security headers outside.

    Starlette runs the middleware added last first.
    """

    @app.middleware("http")
    async def require_sign_in(request: Request, call_next: Any) -> Response:
        refusal = _refusal(request)
        if refusal is not None:
            return refusal
        response: Response = await call_next(request)
        return response

    secure = (
        settings.cookie_secure if settings.cookie_secure is not None else settings.is_production
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=secure,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        docs = request.url.path == "/api/docs"
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
