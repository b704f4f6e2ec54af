"""`pricemon check` through Typer's CliRunner."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from tests.conftest import find_chromium
from tests.fetch.conftest import STRICT_HOST_RULES
from tests.fetch.test_browser import JS_PRICE_PAGE
from tests.shop import LocalShop, product_page

runner = CliRunner()
JSON_KEYS = {
    "url",
    "price",
    "currency",
    "availability",
    "title",
    "method",
    "confidence",
    "candidates",
    "timings_ms",
}


def local_env() -> dict[str, str]:
    return {
        "PRICEMON_ALLOW_PRIVATE_URLS": "1",
        "PRICEMON_CHROMIUM_EXECUTABLE": find_chromium() or "",
        "PRICEMON_BROWSER_HOST_RULES": STRICT_HOST_RULES,
    }


def test_saved_page_as_json(tmp_path: Path) -> None:
    saved = tmp_path / "kettle.html"
    saved.write_text(product_page("Kettle", "1299.95", "EUR"), encoding="utf-8")
    result = runner.invoke(
        app, ["check", "--html", str(saved), "--url", "https://shop.example.de/k", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == JSON_KEYS
    assert data["url"] == "https://shop.example.de/k"
    assert (data["price"], data["currency"], data["availability"]) == ("1299.95", "EUR", "in_stock")
    assert (data["title"], data["method"]) == ("Kettle", "html+jsonld")
    assert data["candidates"][0]["amount"] == "1299.95"
    assert set(data["candidates"][0]) == {
        "amount",
        "currency",
        "source",
        "score",
        "context",
        "reasons",
    }
    assert set(data["timings_ms"]) == {"extract"}


def _visible_page(charset: str, title: str, price: str, cart: str) -> str:
    """A page with no structured data: only its visible text says the price."""
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f'<main><h1>{title}</h1><div class="product-price">{price}</div>'
        f"<button>{cart}</button></main></body></html>"
    )


def _check_saved(path: Path, url: str) -> dict[str, Any]:
    result = runner.invoke(app, ["check", "--html", str(path), "--url", url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


ENCODED_PAGES = [
    ("windows-1251", "Чайник", "2 499 руб.", "В корзину", "ru", ("2499", "RUB")),
    ("shift_jis", "電気ケトル", "1,980円", "カートに入れる", "jp", ("1980", "JPY")),
    ("iso-8859-1", "Bouilloire", "49,90 €", "Ajouter au panier", "fr", ("49.90", "EUR")),
]


@pytest.mark.parametrize(("charset", "title", "price", "cart", "tld", "want"), ENCODED_PAGES)
def test_saved_page_in_its_own_encoding(
    tmp_path: Path, charset: str, title: str, price: str, cart: str, tld: str, want: tuple
) -> None:
    saved = tmp_path / "page.html"
    # iso-8859-1 has no euro sign: a browser reads that label as windows-1252, which has.
    codec = "cp1252" if charset == "iso-8859-1" else charset
    saved.write_bytes(_visible_page(charset, title, price, cart).encode(codec))
    data = _check_saved(saved, f"https://shop.example.{tld}/k")
    assert (data["price"], data["currency"], data["title"]) == (*want, title)


def test_saved_page_utf8_despite_an_old_meta_charset(tmp_path: Path) -> None:
    """ "Save page as" writes UTF-8 and keeps the original `<meta charset>`."""
    saved = tmp_path / "page.html"
    saved.write_text(_visible_page("windows-1251", "Чайник", "2 499 ₽", "В корзину"), "utf-8")
    data = _check_saved(saved, "https://shop.example.ru/k")
    assert (data["price"], data["currency"], data["title"]) == ("2499", "RUB", "Чайник")


def test_saved_page_gzip_compressed(tmp_path: Path) -> None:
    saved = tmp_path / "page.html.gz"
    page = _visible_page("windows-1251", "Чайник", "2 499 руб.", "В корзину")
    saved.write_bytes(gzip.compress(page.encode("windows-1251")))
    data = _check_saved(saved, "https://shop.example.ru/k")
    assert (data["price"], data["currency"], data["title"]) == ("2499", "RUB", "Чайник")


def test_saved_page_broken_gzip_is_one_clear_line(tmp_path: Path) -> None:
    saved = tmp_path / "page.html.gz"
    saved.write_bytes(gzip.compress(bytes(range(256)) * 8)[:200])
    result = runner.invoke(app, ["check", "--html", str(saved), "--json"])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot read {saved}: the gzip data ends early")
    assert "Hint: give an .html file, or one compressed with gzip" in result.stderr
    assert result.stdout == ""


def test_plain_output_shows_price_and_why(shop: LocalShop) -> None:
    url = shop.add("/p", product_page("Kettle", "19.99", "USD"))
    result = runner.invoke(app, ["check", url, "--browser", "never"], env=local_env())
    assert result.exit_code == 0, result.output
    for expected in ("19.99 USD", "http+jsonld", "Why: top candidates", "in_stock", "Kettle"):
        assert expected in result.stdout


@pytest.mark.browser
@pytest.mark.slow
def test_javascript_price_found_through_the_browser(shop: LocalShop) -> None:
    url = shop.add("/js", JS_PRICE_PAGE)
    result = runner.invoke(app, ["check", url, "--json"], env=local_env())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["price"], data["currency"]) == ("24.99", "USD")
    assert data["method"].startswith("browser+")
    assert "browser" in data["timings_ms"]


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://10.0.0.1/", "Error: refused: 10.0.0.1 is a private address"),
        (
            "file:///etc/passwd",
            "Error: refused: file:///etc/passwd uses file; only http and https URLs can be checked",
        ),
        (
            "http://169.254.169.254/latest/",
            "Error: refused: 169.254.169.254 is a link-local address",
        ),
    ],
)
def test_refused_urls(url: str, error: str) -> None:
    result = runner.invoke(app, ["check", url])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == error
    assert lines[1].startswith("Hint: ")


def test_refused_before_starting_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    from pricemon.fetch.browser import BrowserPool

    async def no_start(self: BrowserPool) -> None:
        raise AssertionError("Chromium must not start for a refused URL")

    monkeypatch.setattr(BrowserPool, "start", no_start)
    result = runner.invoke(app, ["check", "http://10.0.0.1/", "--browser", "always"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: refused: 10.0.0.1 is a private address")


def test_private_hint_names_the_variable() -> None:
    result = runner.invoke(app, ["check", "http://10.0.0.1/"])
    assert "PRICEMON_ALLOW_PRIVATE_URLS=1" in result.stderr


def test_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    # No resolver is asked: answer as glibc does for a name that does not exist.
    def nxdomain(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nxdomain)
    result = runner.invoke(app, ["check", "https://no-such-shop.example/p/1"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "Error: dns: no-such-shop.example could not be resolved (Name or service not known)"
    )


def test_url_or_html_is_required() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: give a URL to check, or --html FILE")


def test_help_does_not_import_the_browser() -> None:
    import subprocess
    import sys

    code = "import sys; from pricemon.cli import app; print('playwright' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.browser
@pytest.mark.slow
def test_fixture_app_shell_priced_by_an_api_call(shop: LocalShop) -> None:
    # The saved Next.js shell from the fixture corpus, served with the price API it calls.
    shell = (Path(__file__).parent.parent / "fixtures/pages/js_injected_price.html").read_text()
    url = shop.add("/products/nimbus-running-shoe", shell)
    shop.add("/api/price", '{"amount": "129.95"}', content_type="application/json")
    result = runner.invoke(app, ["check", url, "--json"], env=local_env())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["price"], data["currency"]) == ("129.95", "USD")
    assert data["method"].startswith("browser+")
    assert shop.hits["/api/price"] == 1
