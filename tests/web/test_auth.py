"""Sign-in: session cookie, HTTP Basic, CSRF, the login rate limit, production refusal."""

from __future__ import annotations

import base64
import stat

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from pricemon.cli import app as cli_app
from pricemon.config import Environment, Settings
from pricemon.errors import ConfigError
from tests.web.conftest import PASSWORD, csrf_from

BASIC = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
WRONG = "Basic " + base64.b64encode(b"admin:guess").decode()


def sign_in(client: TestClient, password: str = PASSWORD, next_path: str = "/") -> int:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"password": password, "next": next_path, "csrf_token": token}
    )
    return response.status_code


def test_everything_but_public_paths_needs_sign_in(auth_client: TestClient) -> None:
    page = auth_client.get("/products?q=x")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fproducts%3Fq%3Dx"
    api = auth_client.get("/api/products")
    assert api.status_code == 401
    # No Basic challenge: a browser never caches credentials it could replay cross-site.
    assert "www-authenticate" not in api.headers
    for path in ("/api/docs", "/api/openapi.json", "/settings", "/products/export.csv"):
        assert auth_client.get(path).status_code in (303, 401), path
    for path in ("/healthz", "/readyz", "/login", "/static/app.css"):
        assert auth_client.get(path).status_code == 200, path


def test_basic_auth_works_on_pages_and_api(auth_client: TestClient) -> None:
    assert auth_client.get("/", headers={"Authorization": BASIC}).status_code == 200
    assert auth_client.get("/api/products", headers={"Authorization": BASIC}).status_code == 200
    created = auth_client.post(
        "/api/products", json={"url": "https://shop.example/p/1"}, headers={"Authorization": BASIC}
    )
    assert created.status_code == 201
    assert auth_client.get("/api/products", headers={"Authorization": WRONG}).status_code == 401
    other_user = "Basic " + base64.b64encode(f"root:{PASSWORD}".encode()).decode()
    assert (
        auth_client.get("/api/products", headers={"Authorization": other_user}).status_code == 401
    )


def test_login_sets_a_session_cookie(auth_client: TestClient) -> None:
    assert sign_in(auth_client, next_path="/settings") == 303
    assert auth_client.get("/settings").status_code == 200
    assert auth_client.get("/api/products").status_code == 200
    token = csrf_from(auth_client.get("/").text)
    assert auth_client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert auth_client.get("/settings").status_code == 303


def test_wrong_password_is_refused(auth_client: TestClient) -> None:
    assert sign_in(auth_client, password="guess") == 401
    assert auth_client.get("/").status_code == 303


def test_login_never_redirects_to_another_site(auth_client: TestClient) -> None:
    token = csrf_from(auth_client.get("/login").text)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        data = {"password": PASSWORD, "next": target, "csrf_token": token}
        response = auth_client.post("/login", data=data)
        assert response.headers["location"] == "/", target
        token = csrf_from(auth_client.get("/").text)


@pytest.mark.parametrize("token", [None, "wrong"])
def test_form_posts_need_the_csrf_token(auth_client: TestClient, token: str | None) -> None:
    data = {"password": PASSWORD, **({"csrf_token": token} if token else {})}
    auth_client.get("/login")
    assert auth_client.post("/login", data=data).status_code == 403
    assert sign_in(auth_client) == 303
    add = {"url": "https://shop.example/p/1", **({"csrf_token": token} if token else {})}
    assert auth_client.post("/products", data=add).status_code == 403
    assert auth_client.get("/api/products").json()["total"] == 0


def test_cookie_api_writes_need_the_csrf_header(auth_client: TestClient) -> None:
    sign_in(auth_client)
    body = {"url": "https://shop.example/p/1"}
    assert auth_client.post("/api/products", json=body).status_code == 403
    token = csrf_from(auth_client.get("/").text)
    created = auth_client.post("/api/products", json=body, headers={"X-CSRF-Token": token})
    assert created.status_code == 201


def test_failed_logins_are_rate_limited(auth_client: TestClient) -> None:
    for _ in range(5):
        assert sign_in(auth_client, password="guess") == 401
    assert sign_in(auth_client) == 429  # even the right password, for a minute
    assert auth_client.get("/api/products", headers={"Authorization": BASIC}).status_code == 429


def test_session_secret_is_persisted_privately(auth_settings: Settings, web_engine: Engine) -> None:
    from pricemon.web import create_app
    from pricemon.web.auth import SECRET_FILE, session_secret

    create_app(auth_settings, engine=web_engine)
    path = auth_settings.data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = session_secret(auth_settings)
    assert session_secret(auth_settings) == first
    other = auth_settings.model_copy(update={"admin_password": SecretStr("another")})
    assert session_secret(other) != first  # a new password signs everybody out
    given = auth_settings.model_copy(update={"secret_key": SecretStr("k" * 40)})
    assert session_secret(given) == "k" * 40


def test_production_without_password_refuses_to_start(settings: Settings) -> None:
    from pricemon.web import create_app

    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    with pytest.raises(ConfigError, match="PRICEMON_ADMIN_PASSWORD"):
        create_app(production)


def test_serve_command_refuses_in_production_without_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRICEMON_ENV", "production")
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: refusing to serve: PRICEMON_ENV=production and PRICEMON_ADMIN_PASSWORD is not set",
        "Hint: set PRICEMON_ADMIN_PASSWORD (and PRICEMON_SECRET_KEY) in the environment",
    ]


def test_default_bind_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from pricemon.web.server import default_host

    assert default_host(Settings()) == "127.0.0.1"
    assert default_host(Settings(env=Environment.PRODUCTION)) == "0.0.0.0"
    monkeypatch.setenv("PRICEMON_HOST", "10.1.2.3")
    assert default_host(Settings(env=Environment.PRODUCTION)) == "10.1.2.3"
