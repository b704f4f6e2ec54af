"""The HTML pages: hostile text escaped everywhere, forms that add, edit, delete, import."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from pricemon.config import Settings
from pricemon.embedded import free_port
from pricemon.models import CheckRun, Product
from tests.web.conftest import add_history, add_product, csrf_from, page_csrf

HOSTILE = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def test_hostile_page_text_is_escaped_in_html_svg_and_json(
    client: TestClient, web_engine: Engine
) -> None:
    product = add_product(
        web_engine,
        name=HOSTILE,
        title=ATTRIBUTE,
        status="failing",
        last_error=f"shop said {HOSTILE}",
        currency="EUR",
    )
    add_history(web_engine, product.id, ["10.00", "12.00", "11.00"])
    with Session(web_engine) as session:
        session.add(CheckRun(product_id=product.id, outcome="error", error=HOSTILE))
        session.commit()
    pages = ["/", "/products", f"/products/{product.id}", f"/products/{product.id}/delete"]
    for path in pages:
        html = client.get(path).text
        assert HOSTILE not in html, path
        assert "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    chart_page = client.get(f"/products/{product.id}?range=all").text
    desc = chart_page.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "&lt;script&gt;" in desc  # the chart's SVG text is escaped too
    for path in (f"/api/products/{product.id}", "/api/products"):
        raw = client.get(path)
        assert raw.headers["content-type"].startswith("application/json")
        assert raw.headers["x-content-type-options"] == "nosniff"
        assert b"<script>" not in raw.content and b"<img" not in raw.content
    assert client.get(f"/api/products/{product.id}").json()["name"] == HOSTILE
    assert json.loads(client.get(f"/api/products/{product.id}").content)["title"] == ATTRIBUTE


def test_pages_send_a_strict_content_security_policy(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_add_product_form_shows_its_page(client: TestClient, settings: Settings) -> None:
    assert (
        '<span class="card-value">0</span><span class="card-label">active' in client.get("/").text
    )
    token = page_csrf(client)
    response = client.post(
        "/products",
        data={"url": "https://shop.example/p/7", "name": "Mixer", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Added Mixer: saved; first check queued." in page.text
    assert 'data-poll="/api/products/1"' in page.text  # the page waits for the result
    # The cached dashboard cards are recounted after a change made here.
    assert (
        '<span class="card-value">1</span><span class="card-label">active' in client.get("/").text
    )
    duplicate = client.post(
        "/products", data={"url": "https://shop.example/p/7", "csrf_token": token}
    )
    assert duplicate.status_code == 200
    assert "already" in duplicate.text


def test_add_product_with_redis_down_says_pending(settings: Settings, web_engine: Engine) -> None:
    from pricemon.web import create_app

    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with TestClient(create_app(down, engine=web_engine), base_url="http://127.0.0.1") as client:
        token = page_csrf(client)
        page = client.post(
            "/products", data={"url": "https://shop.example/p/8", "csrf_token": token}
        )
        assert page.status_code == 200
        assert "first check is pending" in page.text
        checked = client.post("/products/1/check", data={"csrf_token": token})
        assert checked.status_code == 200
        assert "Could not queue the check" in checked.text


def test_edit_alert_rule_and_delete(client: TestClient, web_engine: Engine) -> None:
    from decimal import Decimal

    product = add_product(web_engine, last_price=Decimal("80.00"), currency="EUR")
    token = page_csrf(client)
    form = {"csrf_token": token, "name": "Drill", "active": "on", "alert_drop_percent": "10"}
    saved = client.post(f"/products/{product.id}/edit", data=form)
    assert "Saved." in saved.text
    with Session(web_engine) as session:
        stored = session.get(Product, product.id)
        assert stored is not None
        assert (stored.name, stored.alert_drop_percent) == ("Drill", Decimal("10"))
        assert stored.alert_reference_price == Decimal("80.00")
    bad = client.post(f"/products/{product.id}/edit", data={**form, "alert_target_price": "abc"})
    assert "target price must be a number" in bad.text
    confirm = client.get(f"/products/{product.id}/delete")
    assert "Delete this product?" in confirm.text
    deleted = client.post(f"/products/{product.id}/delete", data={"csrf_token": token})
    assert "Deleted Drill" in deleted.text
    assert client.get(f"/products/{product.id}").status_code == 404


def test_import_and_export_csv(client: TestClient) -> None:
    token = page_csrf(client)
    csv_text = (
        "url,name\nhttps://shop.example/a,First\nnot a url,Broken\nhttps://shop.example/a,Dup\n"
    )
    imported = client.post(
        "/products/import",
        data={"csrf_token": token},
        files={"file": ("products.csv", csv_text.encode(), "text/csv")},
    )
    assert "Import: 1 added, 1 skipped, 1 invalid." in imported.text
    exported = client.get("/products/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert "https://shop.example/a" in exported.text


def test_search_filter_and_sort(client: TestClient, web_engine: Engine) -> None:
    add_product(web_engine, url="https://shop.example/1", name="Alpha kettle", status="ok")
    add_product(web_engine, url="https://shop.example/2", name="Beta kettle", status="failing")
    add_product(web_engine, url="https://shop.example/3", name="Gamma toaster", active=False)
    html = client.get("/products?q=kettle&status=failing").text
    assert "Beta kettle" in html and "Alpha kettle" not in html
    paused = client.get("/products?active=no").text
    assert "Gamma toaster" in paused and "Alpha kettle" not in paused
    dashboard = client.get("/").text  # active products only
    assert "Alpha kettle" in dashboard and "Gamma toaster" not in dashboard


def test_dashboard_cards_and_trends(client: TestClient, web_engine: Engine) -> None:
    from decimal import Decimal

    from pricemon.models import utcnow

    product = add_product(
        web_engine,
        name="Kettle",
        status="ok",
        currency="EUR",
        last_price=Decimal("90.00"),
        previous_price=Decimal("100.00"),
        last_checked_at=utcnow(),
    )
    add_history(web_engine, product.id, ["100.00", "100.00", "90.00"], hours_apart=6)
    html = client.get("/").text
    assert "90.00 EUR" in html
    assert "-10.0%" in html  # vs last check
    assert "-6.9%" in html  # vs the 30-day average of 96.67
    assert '<svg class="spark spark-down"' in html
    cards = [int(v) for v in html.split('class="card-value">')[1:5] for v in [v.split("<")[0]]]
    assert cards == [1, 3, 0, 1]  # active, checks in 24 h, failing, changes in 24 h


def test_settings_form_saves_and_shows_next_sends(client: TestClient) -> None:
    token = csrf_from(client.get("/settings").text)
    form = {
        "csrf_token": token,
        "enabled": "on",
        "frequency": "weekly",
        "day": "2",
        "hour": "18",
        "minute": "45",
        "timezone": "America/New_York",
        "recipients": "ann@example.com, bob@example.org",
    }
    page = client.post("/settings", data=form)
    assert "Schedule saved." in page.text
    assert page.text.count("Wednesday") >= 3 + 1  # three next sends, and the day picker
    assert "18:45</time>" in page.text
    bad = client.post("/settings", data={**form, "timezone": "Nowhere/City"})
    assert "unknown timezone" in bad.text
    digest = client.post("/settings/send-digest", data={"csrf_token": token})
    assert "Digest queued" in digest.text


def test_malformed_page_address_is_an_html_404(client: TestClient) -> None:
    page = client.get("/products/abc")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "there is no such page" in page.text
    api = client.get("/api/products/abc")  # the API keeps FastAPI's field-level 422
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["path", "product_id"]
