"""The markup of common shop platforms, which is more precise than generic heuristics.

- Shopify: `ShopifyAnalytics.meta` / `var meta = {"product": ...}` and product JSON embedded
  as `<script type="application/json" data-product-json>` (Liquid's `product | json`, the
  same shape as `/products/<handle>.js`). Integer prices there are in the currency's
  subunit x 100 (`129900` is 1299.00); the `?variant=` in the URL picks the variant.
- WooCommerce: `.summary .price` with the sale price in `<ins>` and the old one in `<del>`.
- Magento 2: `[data-price-type=finalPrice][data-price-amount]` in `.product-info-main`.
- BigCommerce: `[data-product-price-with-tax]` / `-without-tax` in `.productView`.
- VTEX IO: the Apollo cache in `<template data-varname="__STATE__">`: the product whose
  `linkText` is the URL's slug (`/<linkText>/p`) and its first seller's `commertialOffer`.
- Amazon-like marketplaces: `.priceToPay` / `.apexPriceToPay` / `#corePrice_feature_div`
  `.a-offscreen`, and the older `#priceblock_ourprice` ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.availability import OUT_OF_STOCK_RE, availability_from_schema
from pricemon.domain.extract.page import Finding, Page, clean_text
from pricemon.models import Availability

_SHOPIFY_META_RE = re.compile(r"(?:var meta|ShopifyAnalytics\.meta)\s*=\s*\{")
_SHOPIFY_CURRENCY_RE = re.compile(
    r"Shopify\.currency\s*=\s*\{[^}]*?\"active\"\s*:\s*\"([A-Z]{3})\""
    r"|ShopifyAnalytics\.meta\.currency\s*=\s*['\"]([A-Z]{3})['\"]"
)
_AWAY_RE = re.compile(r"related|upsell|crosssell|cross-sell|widget|products-grid|sidebar", re.I)
_AMAZON_SELECTORS = (
    "#corePriceDisplay_desktop_feature_div .priceToPay .a-offscreen",
    "#corePrice_desktop .apexPriceToPay .a-offscreen",
    ".apexPriceToPay .a-offscreen",
    ".priceToPay .a-offscreen",
    "#corePrice_feature_div .a-price:not(.a-text-price) .a-offscreen",
    "#priceblock_dealprice",
    "#priceblock_ourprice",
    "#priceblock_saleprice",
    "#price_inside_buybox",
    "#newBuyBoxPrice",
    "#kindle-price",
)
_AMAZON_ANY = ", ".join(_AMAZON_SELECTORS)


# One CSS probe says which platforms' markup the page has: each query is a pass over the
# whole tree, so asking once and dispatching costs a fifth of asking each reader.
_PROBES: tuple[tuple[str, str], ...] = (
    ("shopify", "script[data-product-json], script[id^=ProductJson]"),
    ("woocommerce", ".woocommerce-Price-amount"),
    ("magento", "[data-price-amount]"),
    ("bigcommerce", "[data-product-price-with-tax], [data-product-price-without-tax]"),
    ("amazon", "#availability, .a-offscreen, [id^=priceblock_]"),
    ("vtex", "template[data-varname=__STATE__]"),
)
_VTEX_OFFER_RE = re.compile(r"\$?Product:(.+?)\.items[^.]*\.(\d+)\.sellers\.(\d+)\.commertialOffer")
_VTEX_CURRENCY_RE = re.compile(r'"culture"\s*:\s*\{[^}]*?"currency"\s*:\s*"([A-Z]{3})"')
_PROBE_SELECTOR = ", ".join(selector for _, selector in _PROBES)


def platform_findings(page: Page) -> list[Finding]:
    """Findings from whichever platform's markup the page carries."""
    present = {
        name
        for node in page.tree.css(_PROBE_SELECTOR)
        for name, selector in _PROBES
        if node.css_matches(selector)
    }
    if "shopify" not in present and page.tree.scripts_contain("Shopify"):
        present.add("shopify")
    readers: dict[str, Callable[[Page], list[Finding]]] = {
        "shopify": _shopify,
        "woocommerce": _woocommerce,
        "magento": _magento,
        "bigcommerce": _bigcommerce,
        "amazon": _amazon,
        "vtex": _vtex,
    }
    found: list[Finding] = []
    for name, reader in readers.items():
        if name in present:
            found.extend(reader(page))
    return found


def _shopify(page: Page) -> list[Finding]:
    json_nodes = page.tree.css(
        "script[data-product-json], script[id^=ProductJson], script[type='application/json']"
        "[id*=product i]"
    )
    scripts = [n.text() or "" for n in page.tree.css("script")]
    currency = None
    for text in scripts:
        if "Shopify" in text and (m := _SHOPIFY_CURRENCY_RE.search(text)):
            currency = m.group(1) or m.group(2)
            break
    page.declare_currency(currency)
    products = []
    for node in json_nodes:
        products.extend(_loads(node.text() or ""))
    for text in scripts:
        if (m := _SHOPIFY_META_RE.search(text)) is not None:
            meta = _raw_decode(text, m.end() - 1)
            if isinstance(meta, dict) and isinstance(meta.get("product"), dict):
                products.append(meta["product"])
    for product in products:
        if isinstance(product, dict) and isinstance(product.get("product"), dict):
            product = product["product"]
        if isinstance(product, dict) and isinstance(product.get("variants"), list):
            finding = _shopify_variant(page, product, currency)
            if finding is not None:
                return [finding]
    return []


def _shopify_variant(page: Page, product: dict[str, Any], currency: str | None) -> Finding | None:
    variants = [v for v in product["variants"] if isinstance(v, dict)]
    wanted = parse_qs(urlsplit(page.url).query).get("variant", [None])[0]
    chosen = next((v for v in variants if str(v.get("id")) == wanted), None)
    chosen = chosen or next((v for v in variants if v.get("available") is True), None)
    chosen = chosen or (variants[0] if variants else None)
    if chosen is None:
        return None
    amount = _shopify_amount(chosen.get("price"))
    if amount is None or amount <= 0:
        return None
    available = chosen.get("available")
    availability = availability_from_schema(available) if isinstance(available, bool) else None
    title = clean_text(str(product.get("title") or "")) or None
    cur = currency or page.currency_hint
    return Finding("platform:shopify", amount, cur, 0.85, "price", availability, title)


def _shopify_amount(raw: Any) -> Decimal | None:
    """Integers are subunits x 100 (`/products/x.js`); strings with a dot are units (`.json`)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw).scaleb(-2)
    if isinstance(raw, str) and re.fullmatch(r"\d+(\.\d+)?", raw.strip()):
        text = raw.strip()
        return Decimal(text) if "." in text else Decimal(text).scaleb(-2)
    return None


def _woocommerce(page: Page) -> list[Finding]:
    box = page.tree.css_first(
        ".product .summary .price, .product .entry-summary .price, div.summary p.price"
    )
    if box is None or _away(box):
        return []
    amount_node = box.css_first("ins .woocommerce-Price-amount")
    if amount_node is None:
        amount_node = next(
            (n for n in box.css(".woocommerce-Price-amount") if not _inside(n, "del", box)), None
        )
    if amount_node is None:
        return []
    price = page.parse_price(clean_text(amount_node.text()))
    if price is None or price.amount <= 0:
        return []
    return [Finding("platform:woocommerce", price.amount, price.currency, 0.85)]


def _magento(page: Page) -> list[Finding]:
    for node in page.tree.css("[data-price-type=finalPrice][data-price-amount]"):
        if _away(node):
            continue
        raw = (node.attributes.get("data-price-amount") or "").strip()
        if re.fullmatch(r"\d+(\.\d+)?", raw) and Decimal(raw) > 0:
            cur = page.currency_hint
            return [Finding("platform:magento", Decimal(raw), cur, 0.85, context="finalPrice")]
    return []


def _bigcommerce(page: Page) -> list[Finding]:
    for selector in ("[data-product-price-with-tax]", "[data-product-price-without-tax]"):
        node = page.tree.css_first(f".productView {selector}, {selector}")
        if node is not None and not _away(node):
            price = page.parse_price(clean_text(node.text()))
            if price is not None and price.amount > 0:
                return [Finding("platform:bigcommerce", price.amount, price.currency, 0.85)]
    return []


def _amazon(page: Page) -> list[Finding]:
    availability = None
    box = page.tree.css_first("#availability")
    if box is not None:
        text = clean_text(box.text())
        if OUT_OF_STOCK_RE.search(text):
            availability = Availability.OUT_OF_STOCK
        elif re.search(r"in stock|auf lager|en stock|disponible", text, re.I):
            availability = Availability.IN_STOCK
    # One pass finds every candidate; the selectors' order then says which one counts (each
    # css_first of a selector the page lacks would be a pass of its own).
    nodes = page.tree.css(_AMAZON_ANY)
    for selector in _AMAZON_SELECTORS:
        node = next((n for n in nodes if n.css_matches(selector)), None)
        if node is None:
            continue
        price = page.parse_price(clean_text(node.text()))
        if price is not None and price.amount > 0:
            return [
                Finding("platform:amazon", price.amount, price.currency, 0.9, "price", availability)
            ]
    if availability is not None:
        return [Finding("platform:amazon", None, None, 0.0, "none", availability)]
    return []


def _vtex(page: Page) -> list[Finding]:
    state = _vtex_state(page)
    path = urlsplit(page.url).path.rstrip("/")
    if not path.endswith("/p"):
        return []
    slug = path[:-2].rsplit("/", 1)[-1]
    product_key = next(
        (k for k, v in state.items() if isinstance(v, dict) and v.get("linkText") == slug), ""
    )
    offers = []
    for key, offer in state.items():
        m = _VTEX_OFFER_RE.fullmatch(key)
        if m and product_key == f"Product:{m.group(1)}" and isinstance(offer, dict):
            amount = offer.get("Price")
            if isinstance(amount, int | float) and not isinstance(amount, bool) and amount > 0:
                stocked = (offer.get("AvailableQuantity") or 0) > 0
                offers.append((not stocked, int(m.group(2)), int(m.group(3)), amount))
    if not offers:
        return []
    missing, _, _, amount = min(offers)  # in stock first, then the first item and seller
    runtime = next(
        (m.group(1) for t in _script_texts(page) if (m := _VTEX_CURRENCY_RE.search(t))), None
    )
    page.declare_currency(runtime)
    availability = Availability.OUT_OF_STOCK if missing else Availability.IN_STOCK
    title = clean_text(str(state[product_key].get("productName") or "")) or None
    cur = runtime or page.currency_hint
    price = Decimal(str(amount))
    return [Finding("platform:vtex", price, cur, 0.85, "price", availability, title)]


def _vtex_state(page: Page) -> dict[str, Any]:
    node = page.tree.css_first("template[data-varname=__STATE__]")
    markup = (node.html or "") if node is not None else ""  # a template's text() is empty
    start, end = markup.find(">", markup.find("<script")) + 1, markup.rfind("</script>")
    state = next(iter(_loads(markup[start:end]) if 0 < start < end else []), None)
    return state if isinstance(state, dict) else {}


def _script_texts(page: Page) -> list[str]:
    return [n.text() or "" for n in page.tree.css("script")]


def _away(node: LexborNode) -> bool:
    current = node.parent
    while current is not None:
        label = f"{current.attributes.get('class') or ''} {current.attributes.get('id') or ''}"
        if _AWAY_RE.search(label):
            return True
        current = current.parent
    return False


def _inside(node: LexborNode, tag: str, stop: LexborNode) -> bool:
    current = node.parent
    while current is not None and current.mem_id != stop.mem_id:
        if current.tag == tag:
            return True
        current = current.parent
    return False


def _loads(text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # nesting deeper than Python recurses is junk
        return []
    return value if isinstance(value, list) else [value]


def _raw_decode(text: str, start: int) -> Any:
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except (ValueError, RecursionError):  # nesting deeper than Python recurses is junk
        return None
