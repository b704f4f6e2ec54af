"""The plain HTTP tier against the local shop: success, every failure kind, redirects."""

from __future__ import annotations

import gzip

import pytest

from pricemon.config import Settings
from pricemon.errors import FetchError
from pricemon.fetch import guard
from pricemon.fetch.http import fetch_page
from tests.shop import LocalShop, product_page


async def test_fetches_a_product_page(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/p/1", product_page("Kettle", "19.99"))
    page = await fetch_page(url, settings=fetch_settings)
    assert page.status == 200
    assert page.url == page.final_url == url
    assert '"price":"19.99"' in page.html
    assert page.headers["content-type"].startswith("text/html")
    assert page.elapsed_ms > 0


async def test_gzip_is_decoded(shop: LocalShop, fetch_settings: Settings) -> None:
    body = gzip.compress(product_page("Kettle", "19.99").encode())
    url = shop.add("/gz", body, headers={"Content-Encoding": "gzip"})
    page = await fetch_page(url, settings=fetch_settings)
    assert "<h1>Kettle</h1>" in page.html


async def test_charset_from_meta_tag(shop: LocalShop, fetch_settings: Settings) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body>Prix 12,50 €</body></html>'
    url = shop.add("/fr", html.encode("cp1252"), content_type="text/html")
    page = await fetch_page(url, settings=fetch_settings)
    assert "12,50 €" in page.html


async def test_hanging_page_times_out(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/slow", "<html></html>", delay_s=30)
    quick = fetch_settings.model_copy(update={"fetch_timeout_s": 1.0})
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=quick)
    assert caught.value.kind == "timeout"
    assert caught.value.transient


async def test_declared_size_over_the_cap(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/big", b"<html>" + b"x" * (6 * 1024 * 1024))
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert caught.value.kind == "too_large"
    assert not caught.value.transient


async def test_decompressed_size_over_the_cap(shop: LocalShop, fetch_settings: Settings) -> None:
    bomb = gzip.compress(b"<html>" + b" " * 2_000_000)  # a few KB on the wire
    url = shop.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings, max_bytes=1_000_000)
    assert caught.value.kind == "too_large"


async def test_redirects_are_followed(shop: LocalShop, fetch_settings: Settings) -> None:
    final = shop.add("/p/2", product_page("Toaster", "29.00"))
    shop.add("/r2", "", status=301, headers={"Location": "/p/2"})
    start = shop.add("/r1", "", status=302, headers={"Location": shop.url("/r2")})
    page = await fetch_page(start, settings=fetch_settings)
    assert page.url == start
    assert page.final_url == final
    assert shop.hits["/r1"] == shop.hits["/r2"] == shop.hits["/p/2"] == 1


async def test_redirect_loops_are_bounded(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/loop", "", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert caught.value.kind == "http"
    assert "redirected more than 5 times" in caught.value.message
    assert shop.hits["/loop"] == 6


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://10.0.0.1/admin", "refused: 10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "is a link-local address"),
        ("file:///etc/passwd", "uses file; only http and https"),
    ],
)
async def test_redirect_targets_are_checked(
    shop: LocalShop,
    strict_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    expected: str,
) -> None:
    # The shop itself is on 127.0.0.1: let exactly that address pass, so that the refusal
    # of the redirect target (the real rule, unchanged) is what is tested.
    real_reason = guard.forbidden_reason
    monkeypatch.setattr(
        guard,
        "forbidden_reason",
        lambda ip: None if str(ip) == "127.0.0.1" else real_reason(ip),
    )
    url = shop.add("/go", "", status=302, headers={"Location": target})
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=strict_settings)
    assert caught.value.kind == "refused"
    assert expected in caught.value.message
    assert "PRICEMON_ALLOW_PRIVATE_URLS" in (caught.value.hint or "") or "file" in expected
    assert shop.hits["/go"] == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/pdf", b"%PDF-1.7"), ("image/png", b"\x89PNG\r\n"), ("application/json", b"{}")],
)
async def test_not_html(
    shop: LocalShop, fetch_settings: Settings, content_type: str, body: bytes
) -> None:
    url = shop.add("/file", body, content_type=content_type)
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert caught.value.kind == "not_html"
    assert content_type in caught.value.message
    assert not caught.value.transient


@pytest.mark.parametrize(
    ("status", "transient"), [(404, False), (410, False), (500, True), (502, True), (400, False)]
)
async def test_http_errors(
    shop: LocalShop, fetch_settings: Settings, status: int, transient: bool
) -> None:
    url = shop.add("/err", "<html><body><h1>Something went wrong</h1></body></html>", status=status)
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert caught.value.kind == "http"
    assert caught.value.status_code == status
    assert caught.value.transient is transient
    assert f"answered {status}" in caught.value.message


CLOUDFLARE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><div class="main-wrapper"><noscript>Enable JavaScript and cookies to continue</noscript>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: 'shop.example'};}());</script>
</div></body></html>"""
AKAMAI = """<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>
You don't have permission to access "http&#58;&#47;&#47;shop&#46;example&#47;p&#47;1" on this
server.<P>Reference&#32;&#35;18&#46;5e2b1402&#46;1700000000&#46;1a2b3c4d</BODY></HTML>"""
DATADOME = """<html><head><title>shop.example</title></head><body>
<script>var dd={'rt':'c','cid':'AHrlqAAAAAMA','hsh':'A55FBF4311ED6F1BF9911EB71931D5'}</script>
<script src="https://ct.captcha-delivery.com/c.js"></script></body></html>"""
PERIMETERX = """<html><head><title>Access to this page has been denied.</title></head><body>
<div id="px-captcha"></div><script>window._pxAppId='PXabc123';</script></body></html>"""


@pytest.mark.parametrize(
    ("status", "body", "headers", "reason"),
    [
        (503, CLOUDFLARE, {}, "Cloudflare challenge"),
        (403, CLOUDFLARE, {"cf-mitigated": "challenge"}, "Cloudflare challenge"),
        (403, AKAMAI, {"Server": "AkamaiGHost"}, "Access Denied"),
        (403, DATADOME, {}, "DataDome"),
        (200, DATADOME, {}, "DataDome"),
        (403, PERIMETERX, {}, "PerimeterX"),
        (429, "<html>Too many requests</html>", {}, "rate limited"),
    ],
)
async def test_bot_walls_are_blocked_not_priceless(
    shop: LocalShop,
    fetch_settings: Settings,
    status: int,
    body: str,
    headers: dict[str, str],
    reason: str,
) -> None:
    url = shop.add("/wall", body, status=status, headers=headers)
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert caught.value.kind == "blocked"
    assert caught.value.transient
    assert caught.value.status_code == status
    assert reason.lower() in caught.value.message.lower()


async def test_plain_403_is_an_http_error(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/forbidden", "<html><body>Forbidden</body></html>", status=403)
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert (caught.value.kind, caught.value.status_code) == ("http", 403)


async def test_connection_refused(fetch_settings: Settings) -> None:
    from pricemon.embedded import free_port

    url = f"http://127.0.0.1:{free_port()}/p"
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=fetch_settings)
    assert caught.value.kind == "connect"
    assert caught.value.transient
