"""schema.org microdata (`itemprop="price"`) and RDFa (`property="schema:price"`).

Microdata puts the machine value in `content` (on `<meta>` or on the visible element) and the
shown text in the element; `content` wins. Offers inside a nested related-product scope are
skipped: only the first Product scope (or the page, if it has none) is read.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.availability import availability_from_schema
from pricemon.domain.extract.meta import read_amount
from pricemon.domain.extract.page import Finding, Page, clean_text, node_attr

_PRODUCT_SCOPE = "[itemtype*='schema.org/Product' i]"
_RELATED_PROPS = ("isRelatedTo", "isSimilarTo", "isAccessoryOrSparePartFor")


def _value(node: LexborNode) -> str | None:
    for attr in ("content", "value", "href", "datetime"):
        value = node_attr(node, attr)
        if value:
            return value
    return clean_text(node.text(), limit=80) or None


def _in_related_scope(node: LexborNode, scope: LexborNode | None) -> bool:
    """True when `node` sits in a nested item that is another product (not its offer)."""
    parent = node.parent
    while parent is not None and (scope is None or parent.mem_id != scope.mem_id):
        prop = parent.attributes.get("itemprop") or ""
        if "itemscope" in parent.attributes and any(r in prop for r in _RELATED_PROPS):
            return True
        if "itemscope" in parent.attributes and "Product" in (
            parent.attributes.get("itemtype") or ""
        ):
            return True
        parent = parent.parent
    return False


def _own_name(root: LexborNode, scope: LexborNode | None) -> str | None:
    """The Product's own `name`: not a brand's, a breadcrumb entry's or an offer's, which sit
    in nested items ("<span itemprop="name">Главная</span>" in a BreadcrumbList)."""
    for node in root.css("[itemprop~=name]"):
        nearest = _nearest_scope(node)
        if scope is None or (nearest is not None and nearest.mem_id == scope.mem_id):
            return _value(node)
    return None


def _nearest_scope(node: LexborNode) -> LexborNode | None:
    parent = node.parent
    while parent is not None and "itemscope" not in parent.attributes:
        parent = parent.parent
    return parent


def microdata_findings(page: Page) -> list[Finding]:
    """Prices, currency, availability and name from the page's main microdata Product."""
    if "microdata" not in page.markers():
        return []
    scope = page.tree.css_first(_PRODUCT_SCOPE)
    root = scope if scope is not None else page.tree.root
    if root is None:
        return []

    def first(prop: str) -> str | None:
        for node in root.css(f"[itemprop~={prop}]"):
            if not _in_related_scope(node, scope):
                return _value(node)
        return None

    currency = page.currency_code(first("priceCurrency"))
    page.declare_currency(currency)
    availability = availability_from_schema(first("availability"))
    title = clean_text(_own_name(root, scope)) or None
    image = first("image")
    found: list[Finding] = []
    for prop, kind in (("price", "price"), ("lowPrice", "low")):
        amount, cur = read_amount(page, first(prop), currency)
        if amount is not None and amount > 0:
            found.append(Finding("microdata", amount, cur, 0.8, kind, availability, title, image))
            break
    if not found and scope is not None and (availability or title):
        found.append(Finding("microdata", None, currency, 0.0, "none", availability, title, image))
    return found


def rdfa_findings(page: Page) -> list[Finding]:
    """Prices from RDFa `property` attributes (schema.org or GoodRelations vocabularies)."""
    if "rdfa" not in page.markers():
        return []

    def first(*props: str) -> str | None:
        for prop in props:
            node = page.tree.css_first(f"[property='{prop}']:not(meta[property^='og:'])")
            if node is not None:
                return _value(node)
        return None

    currency = page.currency_code(first("schema:priceCurrency", "priceCurrency", "gr:hasCurrency"))
    page.declare_currency(currency)
    availability = availability_from_schema(first("schema:availability", "availability"))
    title = clean_text(first("schema:name")) or None
    amount, cur = read_amount(
        page, first("schema:price", "price", "gr:hasCurrencyValue", "schema:lowPrice"), currency
    )
    if amount is None or amount <= 0:
        if availability is None:
            return []
        return [Finding("rdfa", None, currency, 0.0, "none", availability, title)]
    return [Finding("rdfa", amount, cur, 0.8, "price", availability, title)]
