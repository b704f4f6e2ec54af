"""The JSON API on a real database and Redis: every status-code rule of issue 5."""

from __future__ import annotations

from datetime import datetime

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from pricemon.config import Settings
from pricemon.embedded import free_port
from pricemon.queue import CHECKS_QUEUE, DIGEST_QUEUE
from tests.web.conftest import add_history, add_product


def _job_exists(redis_url: str, queue: str, job_id: str) -> bool:
    client = redis.Redis.from_url(redis_url)
    try:
        return bool(client.exists(f"bull:{queue}:{job_id}"))
    finally:
        client.close()


@pytest.fixture
def offline_client(settings: Settings, web_engine: Engine):
    """The app with Redis unreachable (a closed port on 127.0.0.1)."""
    from pricemon.web import create_app

    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with TestClient(create_app(down, engine=web_engine), base_url="http://127.0.0.1") as c:
        yield c


def test_create_product_queues_its_first_check(client: TestClient, settings: Settings) -> None:
    response = client.post(
        "/api/products", json={"url": "https://shop.example/p/1", "name": "Kettle"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["product"]["url"] == "https://shop.example/p/1"
    assert body["product"]["name"] == "Kettle"
    assert body["product"]["status"] == "pending"
    assert body["first_check"]["status"] == "queued"
    assert _job_exists(settings.redis_url or "", CHECKS_QUEUE, body["first_check"]["job_id"])


def test_duplicate_url_is_409(client: TestClient) -> None:
    assert client.post("/api/products", json={"url": "https://shop.example/p/1"}).status_code == 201
    again = client.post("/api/products", json={"url": "https://SHOP.example/p/1"})
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{"url": "not a url"}, {"url": "javascript:alert(1)"}, {"url": ""}, {}, {"url": 5}],
)
def test_invalid_input_is_422(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/api/products", json=body)
    assert response.status_code == 422
    assert client.get("/api/products").json()["total"] == 0


def test_redis_down_still_saves_and_says_pending(offline_client: TestClient) -> None:
    response = offline_client.post("/api/products", json={"url": "https://shop.example/p/9"})
    assert response.status_code == 201
    body = response.json()
    assert body["first_check"]["status"] == "pending"
    assert body["first_check"]["job_id"] is None
    assert "pending" in body["first_check"]["message"]
    product_id = body["product"]["id"]
    assert offline_client.get(f"/api/products/{product_id}").status_code == 200


def test_check_and_digest_with_redis_down_are_503_with_a_message(
    offline_client: TestClient, web_engine: Engine
) -> None:
    product = add_product(web_engine)
    for path in (f"/api/products/{product.id}/check", "/api/checks", "/api/digest"):
        response = offline_client.post(path)
        assert response.status_code == 503, path
        assert "Redis" in response.json()["detail"]
        assert response.json()["hint"]


def test_unknown_product_is_404(client: TestClient) -> None:
    assert client.get("/api/products/999").status_code == 404
    assert client.patch("/api/products/999", json={"name": "x"}).status_code == 404
    assert client.delete("/api/products/999").status_code == 404
    assert client.post("/api/products/999/check").status_code == 404
    assert client.get("/api/products/999/history").status_code == 404
    assert client.get("/api/products/abc").status_code == 422


def test_update_and_delete(client: TestClient, web_engine: Engine) -> None:
    product = add_product(web_engine, last_price=None)
    response = client.patch(
        f"/api/products/{product.id}",
        json={"name": "Better name", "active": False, "alert_drop_percent": "12.5"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["active"], body["alert_drop_percent"]) == (
        "Better name",
        False,
        "12.50",
    )
    bad = client.patch(f"/api/products/{product.id}", json={"alert_drop_percent": 150})
    assert bad.status_code == 422
    assert client.patch(f"/api/products/{product.id}", json={"active": "maybe"}).status_code == 422
    assert client.delete(f"/api/products/{product.id}").status_code == 204
    assert client.get(f"/api/products/{product.id}").status_code == 404


def test_check_one_check_all_and_digest_are_202(
    client: TestClient, web_engine: Engine, settings: Settings
) -> None:
    product = add_product(web_engine)
    one = client.post(f"/api/products/{product.id}/check")
    assert one.status_code == 202
    assert _job_exists(settings.redis_url or "", CHECKS_QUEUE, one.json()["job_id"])
    assert client.post("/api/checks").status_code == 202
    digest = client.post("/api/digest", json={"to": ["me@example.com"]})
    assert digest.status_code == 202
    assert _job_exists(settings.redis_url or "", DIGEST_QUEUE, digest.json()["job_id"])
    assert client.post("/api/digest", json={"to": ["nope"]}).status_code == 422


def test_price_history_with_stats(client: TestClient, web_engine: Engine) -> None:
    product = add_product(web_engine, currency="EUR")
    add_history(web_engine, product.id, ["30.00", "10.00", "20.00", "19.99"], hours_apart=24 * 5)
    week = client.get(f"/api/products/{product.id}/history?range=7d").json()
    assert week["stats"]["count"] == 2
    assert [r["amount"] for r in week["records"]] == ["19.99", "20.00"]
    everything = client.get(f"/api/products/{product.id}/history?range=all").json()
    assert everything["stats"] == {"count": 4, "min": "10.00", "max": "30.00", "avg": "20.00"}
    assert client.get(f"/api/products/{product.id}/history?range=2d").status_code == 422


def test_list_search_sort_and_pages(client: TestClient, web_engine: Engine) -> None:
    for index, name in enumerate(["Cheap kettle", "Espresso machine", "Kettle deluxe"]):
        add_product(web_engine, url=f"https://shop.example/p/{index}", name=name)
    found = client.get("/api/products?search=kettle&sort=name").json()
    assert [p["name"] for p in found["items"]] == ["Cheap kettle", "Kettle deluxe"]
    paged = client.get("/api/products?per_page=2&page=2").json()
    assert (paged["total"], paged["pages"], len(paged["items"])) == (3, 2, 1)
    assert client.get("/api/products?per_page=0").status_code == 422


def test_settings_round_trip_with_next_runs(client: TestClient) -> None:
    body = {
        "digest_enabled": True,
        "digest_frequency": "weekly",
        "digest_day": 4,
        "digest_hour": 7,
        "digest_minute": 30,
        "digest_timezone": "Australia/Sydney",
        "digest_recipients": ["ann@example.com", "bob@example.org"],
    }
    saved = client.put("/api/settings", json=body)
    assert saved.status_code == 200, saved.text
    answer = client.get("/api/settings").json()
    assert answer["digest_recipients"] == ["ann@example.com", "bob@example.org"]
    runs = [datetime.fromisoformat(run) for run in answer["next_runs"]]
    assert len(runs) == 3
    for run in runs:  # Fridays at 07:30 Sydney time, whatever the offset that week
        assert (run.weekday(), run.hour, run.minute) == (4, 7, 30)
        assert run.utcoffset() is not None and run.utcoffset().total_seconds() in (36000, 39600)


@pytest.mark.parametrize(
    "change",
    [{"digest_timezone": "Mars/Olympus"}, {"digest_hour": 24}, {"digest_recipients": ["x"]}],
)
def test_settings_rejects_bad_values_with_422(
    client: TestClient, change: dict[str, object]
) -> None:
    body = {
        "digest_enabled": True,
        "digest_frequency": "daily",
        "digest_hour": 9,
        "digest_timezone": "UTC",
        **change,
    }
    assert client.put("/api/settings", json=body).status_code == 422


def test_openapi_docs_are_served_without_a_cdn(client: TestClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/products", "/api/products/{product_id}", "/api/settings"} <= set(paths)
