"""Where the product is on the page: its title element, its add-to-cart button, and how close
any other element sits to them.

Closeness is measured in the tree, not in pixels (there are none without a browser): the
deepest common ancestor of a price and the product title is a small container for the main
price and `<main>` or `<body>` for a recommendation tile further down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.availability import add_to_cart_buttons
from pricemon.domain.extract.page import Page, clean_text
from pricemon.domain.extract.price_text import price_only
from pricemon.domain.extract.rules import AWAY_HEADING_RE
from pricemon.domain.money import has_currency

_TITLE_SELECTORS = (
    "h1",
    "#productTitle",
    "[itemprop=name]",
    ".product_title",
    "[class*=product-title i]",
    "[class*=product-name i]",
    "[class*=productname i]",  # camelCase: VTEX's div.productName, with no h1 on the page
    "[class*=product__title i]",
    ".pageHeading",  # osCommerce 2.2 names the product in a table cell
    "h2",
)
# Name elements that are no heading at all (Rakuten's "span.item_name"): taken only when
# they hold the known name, since cart widgets name their items the same way.
_NAME_ONLY_SELECTOR = "[class*=item_name i], [class*=item-name i]"
# Headings of a product page's sections, never its name ("Reviews" over the reviews).
_SECTION_HEADING_RE = re.compile(
    r"(?:customer |product )?(?:reviews?|ratings?|description|details|specifications?|q ?& ?a)\W*$"
    r"|(?:bewertungen|beschreibung|avis|description du produit|caractéristiques|descrição"
    r"|descripción|reseñas|recensioni|opinie|レビュー|商品説明|商品情報|상품평|리뷰)\W*$"
)
# A <header> of the content, not of the site: the product's, an event's, an article's.
_CONTENT_HEADER_RE = re.compile(r"product|event|item|entry|article|pdp", re.I)
# Class or id tokens of page chrome ("site-header", "header__inner", "navbar"), but not of a
# product block that merely has a header ("product-header").
_CHROME_RE = re.compile(
    r"^(?:site[-_]?)?(?:header|footer|nav|navbar|navigation|menu|logo|breadcrumbs?|masthead"
    r"|cookie|modal)(?:[-_].*)?$",
    re.I,
)


@dataclass
class Anchor:
    """An element the main price should be near, with its ancestors' depths by node id."""

    node: LexborNode
    depth_of: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, node: LexborNode) -> Anchor:
        chain = []
        current: LexborNode | None = node
        while current is not None:
            chain.append(current.mem_id)
            current = current.parent
        depth = len(chain)
        return cls(node, {mem_id: depth - i for i, mem_id in enumerate(chain)})

    def shared_depth(self, node: LexborNode) -> int:
        """Depth of the deepest ancestor `node` shares with this anchor (larger is closer)."""
        current: LexborNode | None = node
        while current is not None:
            found = self.depth_of.get(current.mem_id)
            if found is not None:
                return found
            current = current.parent
        return 0


@dataclass
class Layout:
    title: Anchor | None
    cart: Anchor | None

    def main_area(self) -> LexborNode | None:
        """The smallest container holding both the title and the add-to-cart button."""
        if self.title is None:
            return None
        if self.cart is None:
            parent = self.title.node.parent
            return parent.parent if parent is not None and parent.parent else parent
        depth = self.title.shared_depth(self.cart.node)
        node: LexborNode | None = self.title.node
        while node is not None and self.title.depth_of.get(node.mem_id, 0) > depth:
            node = node.parent
        return node


def find_layout(page: Page, known_title: str | None) -> Layout:
    """Locate the product title (matching `known_title` when given) and the cart button."""
    title = _title_node(page, known_title)
    title_anchor = Anchor.of(title) if title is not None else None
    buttons = add_to_cart_buttons(page)
    cart_anchor = None
    if buttons:
        if title_anchor is not None:
            button = max(buttons, key=title_anchor.shared_depth)
        else:
            button = buttons[0]
        cart_anchor = Anchor.of(button)
    return Layout(title_anchor, cart_anchor)


def _title_node(page: Page, known_title: str | None) -> LexborNode | None:
    wanted = (known_title or "").lower()[:60]
    fallback = None
    for selector in (*_TITLE_SELECTORS, _NAME_ONLY_SELECTOR):
        may_fall_back = selector != _NAME_ONLY_SELECTOR
        for node in page.tree.css(selector):
            text = clean_text(node.text(), limit=200).lower()
            if not text or _in_chrome(node):
                continue
            named = wanted and (wanted in text or (text in wanted and len(text) * 3 >= len(wanted)))
            if (named or fallback is None) and _only_a_price(text):
                continue  # checked only for a node about to be taken: it costs a regex pass
            if named:
                return node
            if (
                fallback is None
                and may_fall_back
                and not AWAY_HEADING_RE.search(text)
                and not _SECTION_HEADING_RE.match(text)
            ):
                # Not "Customers who viewed this also viewed" over a carousel: on a page
                # whose product name has no heading, that is the first h2.
                fallback = node
        if fallback is not None and not wanted:
            return fallback
    return fallback


def _only_a_price(text: str) -> bool:
    """osCommerce 2.3 puts the price in the page's first h1, floated right of the name's."""
    return has_currency(text) and price_only(text)


def _in_chrome(node: LexborNode) -> bool:
    current = node.parent
    for _ in range(8):
        if current is None:
            return False
        label = f"{current.attributes.get('class') or ''} {current.attributes.get('id') or ''}"
        if current.tag in ("header", "footer", "nav") and not _CONTENT_HEADER_RE.search(label):
            return True  # (Shopware's `<header class="product--header">` holds the h1)
        if any(_CHROME_RE.match(token) for token in label.split()):
            return True
        current = current.parent
    return False


def title_text(layout: Layout) -> str | None:
    return clean_text(layout.title.node.text()) or None if layout.title else None
