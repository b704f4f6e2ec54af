"""`/healthz`, `/readyz`, and outages answered with 503 and a message (never 500)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pricemon.config import Settings
from pricemon.embedded import free_port


def _client(settings: Settings, **changes: object) -> TestClient:
    from pricemon.web import create_app

    return TestClient(create_app(settings.model_copy(update=changes)), base_url="http://127.0.0.1")


def test_healthz_and_readyz_when_all_is_up(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_names_redis_when_it_is_down(settings: Settings) -> None:
    with _client(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0") as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["redis"]
    assert ready.json()["checks"] == {"database": "ok", "redis": "unreachable"}


@pytest.mark.parametrize("redis_up", [True, False])
def test_database_down_is_503_everywhere(settings: Settings, redis_up: bool) -> None:
    dead_db = f"postgresql://pricemon:pw@127.0.0.1:{free_port()}/pricemon"
    changes: dict[str, object] = {"database_url": dead_db}
    if not redis_up:
        changes["redis_url"] = f"redis://127.0.0.1:{free_port()}/0"
    with _client(settings, **changes) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "database" in ready.json()["failing"]
        assert ("redis" in ready.json()["failing"]) is not redis_up
        api = client.get("/api/products")
        assert api.status_code == 503
        assert "database" in api.json()["detail"]
        assert "pw" not in api.text  # never the password
        page = client.get("/")
        assert page.status_code == 503
        assert "Temporarily unavailable" in page.text
        created = client.post("/api/products", json={"url": "https://shop.example/p/1"})
        assert created.status_code == 503
