"""Bot walls and JavaScript shells are recognised from content, without false alarms."""

from __future__ import annotations

from pricemon.domain.extract import extract_offer
from tests.extraction.pages import product_page

CLOUDFLARE_BEACON = (
    "<script>(function(){var a=document.createElement('script');"
    "a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';document.head.appendChild(a)})();</script>"
)


def test_cloudflare_beacon_on_a_product_page_is_not_a_block() -> None:
    html = product_page('<p class="price">$24.00</p>' + CLOUDFLARE_BEACON)
    result = extract_offer(html, "https://x.com/p")
    assert not result.blocked and result.price is not None


def test_recaptcha_on_a_sold_out_page_is_not_a_block() -> None:
    main = '<p class="stock">Sold out</p><div class="g-recaptcha" data-sitekey="x"></div>'
    result = extract_offer(product_page(main), "https://x.com/p")
    assert not result.blocked


def test_akamai_access_denied() -> None:
    html = (
        "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
        'You don\'t have permission to access "http://www.shop.com/p/1" on this server.<p>'
        "Reference #18.4a2f1002.1700000000.1a2b3c4d</p></body></html>"
    )
    result = extract_offer(html, "https://www.shop.com/p/1")
    assert result.blocked and result.price is None


def test_perimeterx_press_and_hold() -> None:
    html = (
        "<html><head><title>Access to this page has been denied</title></head><body>"
        '<div id="px-captcha"></div>'
        "<p>Press &amp; Hold to confirm you are a human (and not a bot).</p>"
        "</body></html>"
    )
    assert extract_offer(html, "https://shop.com/p").blocked


def test_datadome_captcha() -> None:
    html = (
        "<html><head><title>shop.fr</title></head><body><iframe "
        'src="https://geo.captcha-delivery.com/captcha/?initialCid=abc" title="DataDome CAPTCHA">'
        "</iframe></body></html>"
    )
    assert extract_offer(html, "https://shop.fr/p").blocked


def test_next_app_shell_looks_script_rendered() -> None:
    html = '<html><body><div id="__next"></div><script src="/_next/main.js"></script></body></html>'
    result = extract_offer(html, "https://shop.com/p")
    assert result.looks_script_rendered and not result.blocked and result.price is None


def test_confident_page_is_not_flagged_as_shell() -> None:
    html = product_page('<p class="price">$24.00</p>').replace("<main>", '<main id="root">')
    assert not extract_offer(html, "https://x.com/p").looks_script_rendered
