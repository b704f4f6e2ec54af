"""Prices in the JSON state that JavaScript shops embed for their own front end.

Next.js (`__NEXT_DATA__`), Nuxt and many headless shops ship the product they render as JSON
inside the page, so the price is in the static HTML even when no element shows it yet. That
JSON also holds prices of recommended products, so only an object that is named like the page's
product (its og:title, JSON-LD name or `<title>`) and carries a price key (or, on its
variants, one it selects) is read, and the result is trusted less than JSON-LD.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pricemon.domain.extract.availability import availability_from_schema
from pricemon.domain.extract.page import Finding, Page, clean_text
from pricemon.models import Availability

_SELECTOR = "script#__NEXT_DATA__, script#__NUXT_DATA__, script[type='application/json']"
_NAME_KEYS = ("name", "title", "productName", "product_name", "displayName")
_PRICE_KEYS = (
    "salePrice", "sale_price", "finalPrice", "final_price", "currentPrice", "current_price",
    "sellingPrice", "offerPrice", "price", "priceValue",
)  # fmt: skip
_CURRENCY_KEYS = ("currency", "currencyCode", "currency_code", "priceCurrency")
_VARIANT_KEYS = ("variants", "skus", "items", "variations")
_SELECTED_KEY_RE = re.compile(r"(?:selected|current|active)_?(?:variant|sku|item)_?id", re.I)
_MAX_SCRIPT_CHARS = 2_000_000
_MAX_NODES = 20_000  # JSON objects visited per page, so a huge state blob stays cheap
_TITLE_SUFFIX_RE = re.compile(r"\s+[|–—-]\s+[^|–—-]+$")


def script_json_findings(page: Page, title: str | None) -> list[Finding]:
    """The price of the object named like the product in the page's embedded JSON state."""
    wanted = _normal(_TITLE_SUFFIX_RE.sub("", title or ""))
    if len(wanted) < 4:
        return []
    budget = [_MAX_NODES]
    for node in page.tree.css(_SELECTOR):
        text = node.text() or ""
        if len(text) > _MAX_SCRIPT_CHARS or '"' not in text:
            continue
        try:
            data = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):  # nesting deeper than Python recurses is junk
            continue
        found = _search(page, data, wanted, budget)
        if found is not None:
            return [found]
    return []


def _search(page: Page, value: Any, wanted: str, budget: list[int]) -> Finding | None:
    stack = [value]
    while stack and budget[0] > 0:
        item = stack.pop()
        budget[0] -= 1
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found = _product_price(page, item, wanted)
            if found is not None:
                return found
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
    return None


def _product_price(page: Page, item: dict[str, Any], wanted: str) -> Finding | None:
    name = next((item[k] for k in _NAME_KEYS if isinstance(item.get(k), str)), None)
    if name is None or not _same_product(_normal(name), wanted):
        return None
    priced = item if any(k in item for k in _PRICE_KEYS) else _selected_variant(page, item)
    if priced is None:
        return None
    found = _priced(page, priced, item)
    if found is not None:
        found.title = clean_text(name) or None
    return found


def _selected_variant(page: Page, product: dict[str, Any]) -> dict[str, Any] | None:
    """The variant a product without a price of its own shows: the one its state selects
    (`selectedVariantId`), else the one the URL names (`?size=queen`), else any when all
    variants cost the same. None when that leaves several prices to choose from."""
    variants = next((v for k in _VARIANT_KEYS if isinstance(v := product.get(k), list) and v), [])
    variants = [v for v in variants if isinstance(v, dict)]
    if not variants:
        return None
    selected = {str(v) for k, v in product.items() if _SELECTED_KEY_RE.fullmatch(k)}
    chosen = [v for v in variants if str(v.get("id")) in selected]
    if not chosen:
        query = {v.lower() for vs in parse_qs(urlsplit(page.url).query).values() for v in vs}
        chosen = [v for v in variants if any(str(x).lower() in query for x in v.values() if x)]
    if len(chosen) == 1:
        return chosen[0]
    prices = {str(_amount(v.get(k))[0]) for v in variants for k in _PRICE_KEYS if k in v}
    return variants[0] if len(prices) == 1 else None


def _priced(page: Page, item: dict[str, Any], product: dict[str, Any]) -> Finding | None:
    for key in _PRICE_KEYS:
        amount, currency = _amount(item.get(key))
        if amount is not None and amount > 0:
            currency = currency or next(
                (
                    d[k]
                    for d in (item, product)
                    for k in _CURRENCY_KEYS
                    if isinstance(d.get(k), str)
                ),
                None,
            )
            code = page.currency_code(currency) or page.currency_hint
            found = Finding("script-json", amount, code, 0.65, "price", context=key)
            found.availability = _availability(item)
            return found
    return None


def _availability(item: dict[str, Any]) -> Availability | None:
    for key in ("availableForSale", "available", "inStock", "in_stock", "availability"):
        if key in item:
            return availability_from_schema(item[key])
    return None


def _amount(raw: Any) -> tuple[Decimal | None, str | None]:
    """A price value: a number, a numeric string, or {"amount"|"value": ..., "currency": ...}."""
    if isinstance(raw, dict):
        currency = next((raw[k] for k in _CURRENCY_KEYS if isinstance(raw.get(k), str)), None)
        inner = raw.get("amount", raw.get("value", raw.get("centAmount")))
        amount, _ = _amount(inner)
        if amount is not None and "centAmount" in raw and "amount" not in raw:
            amount = amount.scaleb(-int(raw.get("fractionDigits", 2)))
        return amount, currency
    if isinstance(raw, bool):
        return None, None
    if isinstance(raw, int | Decimal):
        return Decimal(raw), None
    if isinstance(raw, str) and re.fullmatch(r"\d+(\.\d+)?", raw.strip()):
        return Decimal(raw.strip()), None
    return None, None


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _same_product(name: str, wanted: str) -> bool:
    if not name:
        return False
    if name == wanted:
        return True
    shorter, longer = sorted((name, wanted), key=len)
    return shorter in longer and len(shorter) * 10 >= len(longer) * 7
