"""JSON-LD: schema.org Product, ProductGroup, Offer and AggregateOffer in `<script>` blocks.

Real pages put Products at the top level, inside `@graph`, inside a WebPage's `mainEntity`,
in arrays, and in several blocks; they break JSON with trailing commas, HTML entities, raw
control characters, comments and CDATA wrappers. Everything that can be read is read.
Products nested under relations (`isRelatedTo`, `isSimilarTo`, ...) or in an `ItemList` are
other products, so they are skipped.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pricemon.domain.extract.availability import availability_from_schema
from pricemon.domain.extract.page import Finding, Page, clean_text

log = logging.getLogger(__name__)

PRODUCT_TYPES = {"product", "productgroup", "individualproduct", "productmodel", "car", "book"}
PRODUCT_TYPES |= {"vehicle", "softwareapplication", "musicalbum", "game", "videogame"}
OFFER_TYPES = {"offer", "aggregateoffer"}
_SKIP_KEYS = {"isrelatedto", "issimilarto", "isaccessoryorsparepartfor", "isconsumablefor"}
_SKIP_KEYS |= {"itemlistelement", "review", "isvariantof", "subjectof", "relatedlink"}
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_COMMENT_RE = re.compile(r"^\s*(?://.*)$", re.MULTILINE)
_LIST_PRICE_TYPES = ("listprice", "strikethroughprice", "msrp", "regularprice", "wasprice")


def json_ld_documents(page: Page) -> list[Any]:
    """Every JSON value in the page's `application/ld+json` scripts, repaired if needed."""
    docs: list[Any] = []
    for node in page.tree.css("script[type]"):
        if "ld+json" not in (node.attributes.get("type") or "").lower():
            continue
        docs.extend(load_lenient(node.text() or ""))
    return docs


def load_lenient(text: str) -> list[Any]:
    """Parse JSON the way browsers' users would hope: tolerate the usual CMS damage."""
    text = text.strip()
    for junk in ("<![CDATA[", "]]>", "<!--", "-->", "//<![CDATA[", "//]]>"):
        text = text.replace(junk, "")
    text = text.strip().rstrip(";")
    for attempt in range(3):
        values = _decode_all(text)
        if values is not None:
            return values
        if attempt == 0:
            text = _TRAILING_COMMA_RE.sub(r"\1", _COMMENT_RE.sub("", text))
            text = _CONTROL_RE.sub(" ", text)
        else:
            text = html.unescape(text)
    log.debug("unreadable JSON-LD block (%d chars)", len(text))
    return []


def _decode_all(text: str) -> list[Any] | None:
    """Decode one or several concatenated JSON values; None if any part is invalid."""
    decoder = json.JSONDecoder(strict=False, parse_float=Decimal)
    values, pos = [], 0
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    while pos < len(text):
        try:
            value, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):  # bad JSON, or nesting deeper than Python recurses
            return None
        values.append(value)
        pos = end
        while pos < len(text) and text[pos] in " \t\r\n,;":
            pos += 1
    return values


def types_of(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type", ())
    items = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for t in items}


def iter_products(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Product-like nodes, outermost first, not descending into relations or item lists."""
    if depth > 12:
        return
    if isinstance(value, list):
        for item in value:
            yield from iter_products(item, depth + 1)
    elif isinstance(value, dict):
        if types_of(value) & PRODUCT_TYPES:
            yield value
            return
        for key, item in value.items():
            if key.lower() not in _SKIP_KEYS:
                yield from iter_products(item, depth + 1)


def jsonld_findings(page: Page, docs: list[Any]) -> list[Finding]:
    """Offers of the page's main product (its variants included), as Findings."""
    products = list(iter_products(docs))
    if not products:
        return _bare_offers(page, docs)
    product = _main_product(page, products)
    findings: list[Finding] = []
    title, image = _name(product), _image(product)
    # Some themes write one Product per size or colour under the same name: the others are
    # the chosen one's variants (they say whether any size can still be bought).
    same = [p for p in products if p is not product and title and _name(p) == title]
    for rank, each in enumerate([product, *same]):
        for position, offer in _offers_of(each):
            for finding in _offer_findings(page, offer, title, image):
                finding.position = position + rank
                findings.append(finding)
    if not findings:
        findings.append(Finding("jsonld", None, None, 0.0, title=title, image=image))
    return findings


def _main_product(page: Page, products: list[dict[str, Any]]) -> dict[str, Any]:
    """The product the page is about: the one named like og:title or the h1, else the first."""
    wanted = [clean_text(page.meta("og:title")).lower()]
    h1 = page.tree.css_first("h1")
    if h1 is not None:
        wanted.append(clean_text(h1.text()).lower())
    for product in products:
        name = (_name(product) or "").lower()
        if name and any(w and (name in w or w in name) for w in wanted):
            return product
    with_offers = [p for p in products if p.get("offers") or p.get("hasVariant")]
    return with_offers[0] if with_offers else products[0]


def _offers_of(product: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, offer): sellers' offers of one product share position 0 (the cheapest in
    stock wins among them); variants count 0, 1, 2... so the first variant, which shops
    select by default, wins a tie."""
    for offer in _as_dicts(product.get("offers")):
        yield 0, offer
    for position, variant in enumerate(_as_dicts(product.get("hasVariant"))):
        for offer in _as_dicts(variant.get("offers")):
            yield position, offer


_SECOND_HAND_RE = re.compile(r"used|refurbished|damaged", re.I)


def _offer_findings(
    page: Page, offer: dict[str, Any], title: str | None, image: str | None
) -> list[Finding]:
    currency = page.currency_code(_text(offer.get("priceCurrency")))
    page.declare_currency(currency)
    availability = availability_from_schema(_text(offer.get("availability")))
    url = _text(offer.get("url"))
    # An open-box, used or refurbished offer beside the new one is not the product's price.
    weight = 0.75 if _SECOND_HAND_RE.search(_text(offer.get("itemCondition")) or "") else 0.85
    out: list[Finding] = []

    def add(raw: Any, kind: str, cur: str | None) -> None:
        amount, cur = _amount(page, raw, cur)
        if amount is not None and amount > 0:
            f = Finding("jsonld", amount, cur, weight, kind, availability, title, image, url=url)
            out.append(f)

    if "aggregateoffer" in types_of(offer):
        add(offer.get("lowPrice", offer.get("price")), "low", currency)
        add(offer.get("highPrice"), "high", currency)
    else:
        add(offer.get("price"), "price", currency)
        if not out and offer.get("lowPrice") is not None:
            add(offer.get("lowPrice"), "low", currency)
    for spec in _as_dicts(offer.get("priceSpecification")):
        spec_type = (_text(spec.get("priceType")) or "").rsplit("/", 1)[-1].lower()
        kind = "list" if spec_type in _LIST_PRICE_TYPES else "price"
        if kind == "price" and any(f.kind == "price" for f in out):
            continue
        add(
            spec.get("price"),
            kind,
            page.currency_code(_text(spec.get("priceCurrency"))) or currency,
        )
    for nested in _as_dicts(offer.get("offers")):  # AggregateOffer listing its offers
        out.extend(_offer_findings(page, nested, title, image))
    if not out and availability is not None:
        out.append(Finding("jsonld", None, currency, 0.0, "none", availability, title, image))
    return out


def _amount(page: Page, raw: Any, currency: str | None) -> tuple[Decimal | None, str | None]:
    """A JSON-LD price as Decimal: numbers exactly as written, strings through parse_price."""
    if isinstance(raw, bool) or raw is None:
        return None, currency
    if isinstance(raw, int | Decimal):  # floats are decoded as Decimal, so this is exact
        return Decimal(raw), currency.upper() if currency else page.currency_hint
    text = _text(raw)
    if not text:
        return None, currency
    if re.fullmatch(r"\d+(\.\d+)?", text):  # schema.org says "use '.' for decimals"
        return Decimal(text), currency.upper() if currency else page.currency_hint
    price = page.parse_price(text, currency=currency)
    return (price.amount, price.currency) if price else (None, currency)


def _bare_offers(page: Page, docs: list[Any]) -> list[Finding]:
    """Offers without a Product around them (some shops publish only the Offer)."""
    found: list[Finding] = []
    stack: list[Any] = [docs]
    while stack and len(found) < 20:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            if types_of(value) & OFFER_TYPES:
                found.extend(_offer_findings(page, value, None, None))
            else:
                stack.extend(v for k, v in value.items() if k.lower() not in _SKIP_KEYS)
    return found


def _as_dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _text(value: Any) -> str | None:
    """A scalar as text; for {"@id": ...} / {"name": ...} objects their id or name."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("name") or value.get("url")
    if value is None or isinstance(value, dict | list):
        return None
    return html.unescape(str(value)).strip() or None


def _name(product: dict[str, Any]) -> str | None:
    name = _text(product.get("name"))
    return clean_text(name) or None


def _image(product: dict[str, Any]) -> str | None:
    image = product.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url") or image.get("contentUrl") or image.get("@id")
    return str(image).strip() if isinstance(image, str) and image.strip() else None
