"""One parsed HTML document and what every extractor needs to know about it.

The document is parsed once (selectolax's lexbor backend) and the tree is shared by all the
extractors. `Page` also carries the hints that turn an ambiguous `$` or `kr` into a currency:
the declared currency, the `lang` attribute and the country of the URL's domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pricemon.domain.currency import (
    ISO_CODES,
    country_of_url,
    currency_for_country,
    resolve_symbol,
)
from pricemon.domain.money import Price, parse_price
from pricemon.models import Availability

_WS_RE = re.compile(r"\s+")
_MARKER_SELECTOR = "[itemprop], [typeof], [vocab], [property^='schema:'], [property^='gr:']"


def clean_text(text: str | None, *, limit: int = 300) -> str:
    """Collapse whitespace and cut to `limit` characters (for titles and context excerpts)."""
    if not text:
        return ""
    return _WS_RE.sub(" ", text).strip()[:limit]


@dataclass
class Finding:
    """A price (or a fact about the product) that one extractor read from the page.

    `kind` is "price" for the price to pay, "list" for a struck or regular price, "low"/"high"
    for a range. `weight` is how much this source is trusted on its own (0..1).
    """

    source: str
    amount: Decimal | None
    currency: str | None
    weight: float
    kind: str = "price"
    availability: Availability | None = None
    title: str | None = None
    image: str | None = None
    context: str = ""
    url: str | None = None  # the offer's own URL, when it names one (variant pages)
    position: int = 0  # the variant's place in its product group (0 for plain offers)


@dataclass
class Page:
    """A parsed document plus the locale and currency hints found on it."""

    tree: LexborHTMLParser
    url: str
    html: str = ""  # the raw document, for bot-wall markers that live in scripts
    lang: str | None = None
    country: str | None = None
    declared_currency: str | None = None  # set from meta / structured data when found
    _meta: dict[str, str] = field(default_factory=dict)
    _body_length: int | None = None
    cart_buttons: list[LexborNode] | None = None  # found once, see availability.py
    _markers: set[str] | None = None

    @classmethod
    def parse(cls, html: str, url: str) -> Page:
        tree = LexborHTMLParser(html)
        html_node = tree.css_first("html")
        lang = html_node.attributes.get("lang") if html_node is not None else None
        page = cls(tree=tree, url=url, html=html, lang=(lang or "").strip() or None)
        page.country = country_of_url(url)
        page._meta = _read_meta(tree)
        return page

    def meta(self, *names: str) -> str | None:
        """The content of the first of `names` found in `<meta property|name|itemprop>`."""
        for name in names:
            value = self._meta.get(name.lower())
            if value:
                return value
        return None

    @property
    def locale_hint(self) -> str | None:
        """A locale for resolving shared symbols: `lang` with a region, else the domain."""
        if self.lang and "-" in self.lang.replace("_", "-"):
            return self.lang
        if self.country:
            return self.url
        return self.lang

    @property
    def currency_hint(self) -> str | None:
        """The currency the page declares, else the usual one for the domain's country, else
        for the region of its `lang` (`nl-NL` on a .com domain)."""
        return self.declared_currency or currency_for_country(self.country or self._lang_region)

    @property
    def _lang_region(self) -> str | None:
        parts = (self.lang or "").replace("_", "-").split("-")
        return parts[1].lower() if len(parts) > 1 and len(parts[1]) == 2 else None

    def currency_code(self, value: str | None) -> str | None:
        """A currency as markup gives it ("usd", "€", "US$") as an ISO 4217 code, or None."""
        if not value or not value.strip():
            return None
        text = value.strip()
        if text.upper() in ISO_CODES and text.isalpha():
            return "CNY" if text.upper() == "RMB" else text.upper()
        return resolve_symbol(
            text, currency_hint=self.declared_currency, locale_hint=self.locale_hint
        ) or currency_for_country(self.country if text in ("$", "kr") else None)

    def declare_currency(self, code: str | None) -> None:
        """Remember a currency the page states in markup (first one wins)."""
        if code and not self.declared_currency:
            code = code.strip().upper()
            if code in ISO_CODES:
                self.declared_currency = code

    def parse_price(self, text: str | None, *, currency: str | None = None) -> Price | None:
        """parse_price with this page's hints; `currency` (e.g. priceCurrency) comes first."""
        hint = currency.strip().upper() if currency else self.currency_hint
        return parse_price(text, currency_hint=hint, locale_hint=self.locale_hint)

    def markers(self) -> set[str]:
        """Which kinds of structured markup the page has ("microdata", "rdfa"), probed once.

        A CSS query that finds nothing walks the whole tree, so one combined query (stopping
        at the first hit of each kind) is cheaper than one query per kind on big pages.
        """
        if self._markers is None:
            found: set[str] = set()
            for node in self.tree.css(_MARKER_SELECTOR):
                attrs = node.attributes
                found.add("microdata" if "itemprop" in attrs else "rdfa")
                if len(found) == 2:
                    break
            self._markers = found
        return self._markers

    def body_text_length(self) -> int:
        """Characters of readable text in `<body>`: no whitespace, no script or style code."""
        body = self.tree.body
        if body is None:
            return 0
        if self._body_length is None:
            text = body.text(deep=True, strip=False)
            # Only the code's own non-blank characters come off: its blanks (pretty-printed
            # state JSON is a third spaces) are counted among the text's blanks already.
            code = sum(_non_blank(n.text() or "") for n in body.css("script, style, template"))
            self._body_length = max(0, _non_blank(text) - code)
        return self._body_length


def next_element(node: LexborNode) -> LexborNode | None:
    """The element right after `node` among its siblings, text between them skipped."""
    following = node.next
    while following is not None and following.is_text_node:
        following = following.next
    return following


def prev_element(node: LexborNode) -> LexborNode | None:
    """The element right before `node` among its siblings, text between them skipped."""
    previous = node.prev
    while previous is not None and previous.is_text_node:
        previous = previous.prev
    return previous


def _non_blank(text: str) -> int:
    return len(text) - sum(text.count(c) for c in " \n\t\r")


def _read_meta(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        content = attrs.get("content")
        if not content:
            continue
        for key in ("property", "name", "itemprop"):
            name = attrs.get(key)
            if name:
                found.setdefault(name.strip().lower(), content.strip())
    return found


def node_attr(node: LexborNode, name: str) -> str | None:
    value = node.attributes.get(name)
    return value.strip() if value else None
