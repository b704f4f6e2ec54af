"""Parts of the page that are about other things: recommendation carousels, related and
sponsored products, other sellers' offers for the same product, cart widgets, menus, headers
and footers.

Their prices are never the product's price, and on marketplace pages they hold most of the
markup (hundreds of tiles). Finding them with one CSS query and reading each one's text in a
single pass keeps the heuristics fast; their prices are still reported as candidates, with
the penalty that says why they lost. A region that contains the product title or the
add-to-cart button is not a region to skip, whatever its class says.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.layout import Layout
from pricemon.domain.extract.page import Page, clean_text, next_element
from pricemon.domain.extract.rules import AWAY_HEADING_RE, AWAY_RE

# Class fragments of the commonest away containers. Each CSS substring test costs a pass over
# the tree (~0.15 ms on a 300 KB page), so the list is short: menus and mini-carts mostly sit
# in <nav> and <header>, and the per-price rules in rules.py still recognise every other away
# class, just without this shortcut.
_TOKENS = (
    "related", "recommend", "carousel", "upsell", "cross-sell", "sponsor", "recent",
    "swiper", "product-grid", "review",
)  # fmt: skip
# `X:not(X *)` keeps only the outermost match of each token: the tiles inside a carousel
# would otherwise come back by the hundred (BEM classes repeat the block name).
AWAY_SELECTOR = ", ".join(
    [f"{tag}:not({tag} *)" for tag in ("header", "footer", "nav", "aside")]
    + [f"[class*={t}]:not([class*={t}] *)" for t in _TOKENS]
)
_SELECTOR = f"{AWAY_SELECTOR}, h2, h3"
_NESTING_LEVELS = 6  # how far up to look for an enclosing region already found
# A deliberately simple pattern (symbol then number, or number then symbol or code): region
# prices are reported for the record only, and the full currency grammar costs 10x more here.
_PRICE_IN_TEXT_RE = re.compile(
    r"(?:[$€£¥₹₩₽₺]|[A-Z]{1,3}\$|R\$|CHF|EUR|USD|GBP)\s?\d[\d.,'’]*"
    r"|\d[\d.,'’]*\s?(?:[€£¥₹₩₽円元원]|kr\b|zł|Kč|Ft|CHF|EUR|USD|GBP|SEK|NOK|DKK|PLN)"
)
MAX_PRICES_PER_REGION = 5
_REGION_TEXT_CHARS = 1000
_MIN_REGION_TEXT = 40  # a lone price span with a telling class is not a region
_MAX_HEADING = 120  # longer "headings" are text blocks marked up as headings
_MAX_SIBLINGS = 12  # a section's heading is followed by its tiles' container, not hundreds


def away_regions(page: Page, layout: Layout) -> dict[int, str]:
    """Node ids of the regions to read in one pass, with the reason each one is away."""
    title_ids = set(layout.title.depth_of) if layout.title is not None else set()
    cart_ids = set(layout.cart.depth_of) if layout.cart is not None else set()
    protected = title_ids | cart_ids
    found: dict[int, str] = {}
    # One pass over the tree finds both kinds of region: containers with a telling class or
    # tag, and sections named only by a heading (shops often give their carousels no telling
    # class: "よく一緒に購入されている商品" over a `<div class="setProduct">`).
    for node in page.tree.css(_SELECTOR):
        if node.mem_id in protected or _inside(node, found):
            continue  # tiles' names in a carousel found already are skipped here, cheaply
        if node.tag in ("h2", "h3"):
            _add_titled_section(node, title_ids, cart_ids, found)
            continue
        label = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if node.tag not in ("header", "footer", "nav", "aside") and not AWAY_RE.search(label):
            continue  # the CSS match was looser than the rule (e.g. "celwidget")
        if len(node.text(deep=True)) < _MIN_REGION_TEXT:
            continue
        found[node.mem_id] = clean_text(label, limit=40) or node.tag or ""
    return found


def _add_titled_section(
    heading: LexborNode, title_ids: set[int], cart_ids: set[int], found: dict[int, str]
) -> None:
    text = heading.text()
    if len(text) > _MAX_HEADING or not AWAY_HEADING_RE.search(text.lower()):
        return
    section = heading.parent
    if section is None or section.mem_id in title_ids or section.tag in ("body", "main"):
        # The heading shares its container with the product: what it heads is the block
        # right after it ("<h3>Productos relacionados</h3><div class="row">...").
        section = next_element(heading)
        if section is None or section.mem_id in title_ids or section.mem_id in cart_ids:
            return
    if section.mem_id in cart_ids and not _heads(heading, cart_ids):
        return
    if len(section.text(deep=True)) >= _MIN_REGION_TEXT:
        found[section.mem_id] = f"section {clean_text(text, limit=30)!r}"


def _heads(heading: LexborNode, cart_ids: set[int]) -> bool:
    """True when the cart button comes after the heading, inside the section it names: under
    "Customers also bought" it is a recommendation's button (the product itself cannot be
    bought, so the layout found no other), not the product's."""
    sibling = heading.next
    for _ in range(_MAX_SIBLINGS):
        if sibling is None:
            return False
        if sibling.mem_id in cart_ids:
            return True
        sibling = sibling.next
    return False


def _inside(node: LexborNode, found: dict[int, str]) -> bool:
    current = node.parent
    for _ in range(_NESTING_LEVELS):
        if current is None:
            return False
        if current.mem_id in found:
            return True
        current = current.parent
    return False


def after(node: LexborNode, within: LexborNode | None = None) -> LexborNode | None:
    """The first node after `node`'s subtree in document order (None at the end, or at the
    end of `within`'s subtree)."""
    current: LexborNode | None = node
    while current is not None:
        following = current.next
        if following is not None:
            return following
        current = current.parent
        if within is not None and current is not None and current.mem_id == within.mem_id:
            return None
    return None


def _leading_text(region: LexborNode) -> str:
    """About the first _REGION_TEXT_CHARS characters of the region's text, read lazily."""
    parts: list[str] = []
    size = 0
    for node in region.traverse(include_text=True):
        if node.is_text_node:
            piece = node.text_content or ""
            parts.append(piece)
            size += len(piece)
            if size >= _REGION_TEXT_CHARS:
                break
    return " ".join(parts)


def region_prices(page: Page, region: LexborNode) -> list[tuple[str, str]]:
    """(price text, surrounding text) for each price in the region's text, in order."""
    # Only the start of a region is read: its first prices show what it is, and a mega-menu
    # or a carousel of 200 tiles would otherwise cost more than the rest of the page.
    text = _leading_text(region)
    found = []
    for match in _PRICE_IN_TEXT_RE.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        after_text = text[match.end() : match.end() + 30]
        context = clean_text(f"{before} [{match.group()}] {after_text}")
        found.append((match.group(), context))
        if len(found) >= MAX_PRICES_PER_REGION:
            break
    return found
