"""OpenGraph and Facebook catalogue meta tags: `og:price:amount`, `product:price:amount`,
`product:sale_price:amount`, their currencies, `og:title`, `og:image`, `product:availability`.

The values are meant for machines, so `content` normally holds a plain decimal; shops that
put "1.299,00" or "$12.99" there are read through parse_price.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pricemon.domain.extract.availability import availability_from_schema
from pricemon.domain.extract.page import Finding, Page, clean_text

_PLAIN_RE = re.compile(r"\d+(\.\d+)?")


def meta_currency(page: Page) -> str | None:
    """The currency the meta tags declare, if any."""
    return page.meta("product:price:currency", "og:price:currency", "product:sale_price:currency")


def meta_findings(page: Page) -> list[Finding]:
    """Prices from meta tags; a sale price outranks the regular one when both are set."""
    currency = page.currency_code(meta_currency(page))
    page.declare_currency(currency)
    availability = availability_from_schema(
        page.meta("product:availability", "og:availability", "availability")
    )
    title, image = meta_title(page), meta_image(page)
    found: list[Finding] = []
    for key, kind in (
        ("product:sale_price:amount", "price"),
        ("product:price:amount", "price"),
        ("og:price:amount", "price"),
        ("product:original_price:amount", "list"),
    ):
        amount, cur = read_amount(page, page.meta(key), currency)
        if amount is not None and amount > 0:
            found.append(Finding("meta", amount, cur, 0.75, kind, availability, title, image))
            if kind == "price":
                break
    if not found and (availability or title):
        found.append(Finding("meta", None, currency, 0.0, "none", availability, title, image))
    return found


def read_amount(
    page: Page, text: str | None, currency: str | None
) -> tuple[Decimal | None, str | None]:
    """A machine-readable amount: a plain decimal as is, anything else via parse_price."""
    if not text:
        return None, currency
    text = text.strip()
    cur = currency.strip().upper() if currency else None
    if _PLAIN_RE.fullmatch(text):
        return Decimal(text), cur or page.currency_hint
    price = page.parse_price(text, currency=cur)
    return (price.amount, price.currency) if price else (None, cur)


def meta_title(page: Page) -> str | None:
    return clean_text(page.meta("og:title", "twitter:title")) or None


def document_title(page: Page) -> str | None:
    """The `<title>` text (shop names and all)."""
    node = page.tree.css_first("head title") or page.tree.css_first("title")
    return clean_text(node.text()) or None if node is not None else None


def meta_image(page: Page) -> str | None:
    """og:image (or twitter:image), else the main product image of common layouts."""
    found = page.meta("og:image:secure_url", "og:image", "twitter:image")
    if found:
        return found
    for selector, attr in _IMAGE_FALLBACKS:
        node = page.tree.css_first(selector)
        value = node.attributes.get(attr) if node is not None else None
        if value and value.strip():
            return value.strip()
    return None


_IMAGE_FALLBACKS = (
    ("link[rel=image_src]", "href"),
    ("img#landingImage", "data-old-hires"),
    ("img#landingImage", "src"),
    ("img[itemprop=image]", "src"),
    ("[itemprop=image][content]", "content"),
)
