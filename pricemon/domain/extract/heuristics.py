"""Visible prices: every price-looking text on the page, scored by where it sits and what it
says around it.

What users of price trackers complain about decides the rules: a related product's price taken
for the main one (so prices near the title and the add-to-cart button win, and those in
carousels, recommendation grids, cart widgets, headers and footers lose); a struck-through
"was" price taken for the sale price (so `del`/`s`/`strike`, line-through styles and
was/old/compare/list-price classes lose); "$29/month", "4 payments of $12", "Save $50",
"Free shipping over $50" and "€2,99/kg" taken for the price (those are not prices at all and
are dropped); another variant's price in a `<select>` (dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from selectolax.lexbor import LexborNode

from pricemon.domain.currency import CURRENCY_TOKEN_RE
from pricemon.domain.extract.layout import Layout
from pricemon.domain.extract.page import Page, clean_text
from pricemon.domain.money import NUMBER_RE, parse_amount

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "title", "textarea", "head"}
_MAX_TEXT = 160  # longer text nodes are prose, not price labels
_DIGIT_RE = re.compile(r"\d")
_PRICEISH_RE = re.compile(r"price|preis|prix|precio|prezzo|amount|cost|money|betrag", re.I)
_STRUCK_TAGS = {"del", "s", "strike"}
_STRUCK_RE = re.compile(
    r"\b(?:was|old|compare|list|before|original|rrp|msrp|uvp|strike|crossed|retail|reference)"
    r"|(?:was|old|compare|list|strike|crossed|original|before)[-_]?price|price[-_]?(?:was|old"
    r"|compare|list|before|original|strike)|line-through|strikethrough|basisprice|a-text-price",
    re.I,
)
_REGULAR_RE = re.compile(r"regular|normal", re.I)
_SALE_RE = re.compile(
    r"sale|special|final|current|\bnow\b|deal|promo|\boffer|to-?pay|topay|our[-_]?price"
    r"|actual|selling|reduced|discounted",
    re.I,
)
_AWAY_RE = re.compile(
    r"related|recommend|similar|also|upsell|up-sell|cross-?sell|crosssell|carousel|slider"
    r"|swiper|slick|recent|viewed|bundle|accessor|sponsor|you-may|others|complete-the-look"
    r"|mini-?cart|cart-drawer|cart-item|(?<![\w-])(?:site[-_])?(?:header|footer)|breadcrumb"
    r"|newsletter"
    r"|widget|product-grid|product-list|productlist|grid-item|product-card|product-item"
    r"|product-tile|megamenu|mega-menu|promo-bar|announcement|a-carousel|sims|pdp-reco",
    re.I,
)
_AWAY_TAGS = {"header", "footer", "nav", "aside"}
_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Words around an amount that make it something other than the price to pay. Each rule looks
# only at the text just before or just after the amount, so a "Save $50" badge next to the
# real price does not sink the real price.
_UNITS = (
    r"kg|g|gr|l|ltr|ml|cl|lb|lbs|oz|fl\.? ?oz|m|m²|m2|ea|each|unit|item|stück|stk|st|pc|pcs"
    r"|count|ct|load|wash|sheet|roll|tablet|capsule|serving|day|night|person"
)
_PERIODS = r"mo|mth|month|months|monat|mois|mes|yr|year|week|wk"
_NOT_A_PRICE_AFTER = [
    ("unit price", rf"^\W{{0,3}}(?:/|per |pro |par |je )\s*(?:\d+\s*)?(?:{_UNITS})\b"),
    (
        "instalment",
        rf"^\W{{0,3}}(?:/\s*(?:{_PERIODS})\b|per (?:{_PERIODS})|a month|monthly|mtl\.|monatlich"
        r"|par mois|al mes|x \d+|for \d+ months|\w* ?(?:with|mit|avec|con) (?:affirm|klarna"
        r"|afterpay|sezzle|zip|paypal))",
    ),
    ("saving", r"^\W{0,3}(?:off\b|less\b)"),
    ("shipping", r"^\W{0,3}(?:shipping|delivery|versand|postage|livraison|envío|frais de port)"),
]
_NOT_A_PRICE_BEFORE = [
    ("unit price", r"(?:grundpreis|unit price|price per|prix au \w+|per 100 ?\w+)\W*$"),
    (
        "instalment",
        r"(?:payments? of|instal+ments? of|as low as|or \d+ (?:interest-free )?(?:payments|"
        r"instal+ments)|klarna|afterpay|affirm|financ\w*|raten\w*|\d+ ?x|\d+ mal)\W*(?:from\W*)?$",
    ),
    (
        "saving",
        r"(?:\bsave|you save|saving|sie sparen|ersparnis|du sparst|économisez|ahorra|risparmi"
        r"|bespaar|discount|rabatt)\W*(?:up to\W*|bis zu\W*)?$",
    ),
    (
        "shipping",
        r"(?:shipping|delivery|versand|livraison|envío|envio|spedizione|verzend|postage|frakt"
        r"|orders? (?:over|above|of)|spend|bestellwert|free returns)[^.!]{0,25}$",
    ),
    ("reward", r"(?:gift card|reward|points|cash ?back|credit|trade[- ]in|pfand|deposit)\W*$"),
]
_NOT_AFTER_RE = [(why, re.compile(p, re.I)) for why, p in _NOT_A_PRICE_AFTER]
_NOT_BEFORE_RE = [(why, re.compile(p, re.I)) for why, p in _NOT_A_PRICE_BEFORE]
_CURRENCY_PREFIX_RE = re.compile(r"^\s*(?:[€$£¥₹]|[A-Z]{3}\b|kr\.?|zł|Kč|Ft|円|元)\s*")
_CLOSE_LEVELS = 6  # how far above the title the shared container may be
_FROM_RE = re.compile(r"\b(?:from|ab|à partir de|a partir de|desde|starting at|da|vanaf)\s*$", re.I)


@dataclass
class Visible:
    """One price seen in the page text, with the evidence for and against it."""

    amount: Decimal
    currency: str | None
    score: float
    context: str
    reasons: list[str] = field(default_factory=list)
    struck: bool = False
    near_title: bool = False
    order: int = 0
    node: LexborNode | None = field(default=None, repr=False)


def visible_candidates(page: Page, layout: Layout) -> list[Visible]:
    """All visible prices, best first."""
    found = list(_collect(page))
    _score_position(found, layout)
    found.sort(key=lambda v: (-v.score, v.order))
    return found


def _collect(page: Page) -> list[Visible]:
    body = page.tree.body
    if body is None:
        return []
    seen: set[int] = set()
    out: list[Visible] = []
    for order, node in enumerate(body.traverse(include_text=True)):
        if not node.is_text_node:
            continue
        text = node.text_content
        if not text or len(text) > _MAX_TEXT or not _DIGIT_RE.search(text):
            continue
        element = _price_element(node, text)
        if element is None or element.mem_id in seen:
            continue
        seen.add(element.mem_id)
        visible = _read(page, element, order)
        if visible is not None:
            out.append(visible)
    return out


def _price_element(text_node: LexborNode, text: str) -> LexborNode | None:
    """The element whose text is the whole price (`<span>€<b>12</b>,99</span>` is split)."""
    element = text_node.parent
    if element is None or element.tag in _SKIP_TAGS:
        return None
    if CURRENCY_TOKEN_RE.search(text):
        return element
    current: LexborNode | None = element
    for _ in range(3):
        if current is None or current.tag in ("body", "main", "html"):
            break
        whole = current.text()
        if len(whole) > 48:
            break
        if CURRENCY_TOKEN_RE.search(whole) or _is_priceish(current):
            return current
        current = current.parent
    return None


def _is_priceish(node: LexborNode) -> bool:
    attrs = node.attributes
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('itemprop') or ''}"
    return bool(_PRICEISH_RE.search(label))


def _read(page: Page, element: LexborNode, order: int) -> Visible | None:
    text = clean_text(element.text(), limit=_MAX_TEXT)
    price = page.parse_price(text)
    if price is None or price.amount <= 0 or price.amount >= 10**8:
        return None
    if price.currency is None and not _is_priceish(element):
        return None
    before, after = _surroundings(element, text)
    visible = Visible(price.amount, price.currency or page.currency_hint, 0.4, "")
    visible.context = clean_text(f"{before[-50:]}[{text}]{after[:40]}", limit=_MAX_TEXT)
    visible.order, visible.node = order, element
    before, after = _split_at_amount(text, before, after, price.amount)
    why = _not_a_price(before, after)
    if why:
        visible.score = -1.0
        visible.reasons.append(f"not the price: {why}")
        return visible
    _score_markup(visible, element, before)
    return visible


def _surroundings(element: LexborNode, text: str) -> tuple[str, str]:
    """Text just before and just after the price element, within its small container."""
    container = element.parent
    for _ in range(2):
        if container is None or container.tag in ("body", "main"):
            break
        whole = clean_text(container.text(separator=" "), limit=400)
        if len(whole) > 160:
            break
        at = whole.find(text)
        if at >= 0:
            return whole[:at], whole[at + len(text) :]
        container = container.parent
    return "", ""


def _split_at_amount(text: str, before: str, after: str, amount: Decimal) -> tuple[str, str]:
    """The text before and after the number that was read as `amount`, currency stripped."""
    for number in NUMBER_RE.finditer(text):
        if parse_amount(number.group()) == amount or number.end() == len(text):
            own_before = re.sub(r"(?:[€$£¥₹]|[A-Z]{3})\s*$", "", before + text[: number.start()])
            own_after = _CURRENCY_PREFIX_RE.sub("", text[number.end() :] + after)
            return own_before, own_after
    return before, after


def _not_a_price(before: str, after: str) -> str | None:
    """Why the amount between `before` and `after` is not the product price, or None."""
    for why, pattern in _NOT_AFTER_RE:
        if pattern.search(after[:40]):
            return why
    for why, pattern in _NOT_BEFORE_RE:
        if pattern.search(before[-60:]):
            return why
    return None


def _score_markup(visible: Visible, element: LexborNode, before: str) -> None:
    """Adjust the score for the tags and classes around the price and the words before it."""
    current: LexborNode | None = element
    level = 0
    while current is not None and current.tag not in ("body", "html"):
        _score_ancestor(visible, current, level)
        current = current.parent
        level += 1
    if _FROM_RE.search(before):
        visible.score -= 0.2
        visible.reasons.append("a 'from' price")
    if re.search(r"\b(?:was|war|statt|avant|antes|uvp|rrp|list price|reg\.?)\b\W*$", before, re.I):
        _mark_struck(visible, "labelled as the old price")
    if element.tag in ("option", "select") or _has_ancestor(element, ("option", "select")):
        visible.score = -1.0
        visible.reasons.append("not the price: in a variant selector")


def _score_ancestor(visible: Visible, node: LexborNode, level: int) -> None:
    attrs = node.attributes
    label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if level <= 3:
        if node.tag in _STRUCK_TAGS or _STRUCK_RE.search(label):
            _mark_struck(visible, f"struck or old price ({node.tag})")
        elif "line-through" in (attrs.get("style") or ""):
            _mark_struck(visible, "line-through style")
        elif _REGULAR_RE.search(label) and "regular" not in " ".join(visible.reasons):
            visible.score -= 0.1
            visible.reasons.append("regular price")
        if _SALE_RE.search(label) and "sale price" not in visible.reasons:
            visible.score += 0.15
            visible.reasons.append("sale price")
        if _PRICEISH_RE.search(label) and "price markup" not in visible.reasons:
            visible.score += 0.1
            visible.reasons.append("price markup")
        if attrs.get("itemprop") == "price" and "itemprop=price" not in visible.reasons:
            visible.score += 0.15
            visible.reasons.append("itemprop=price")
    hidden = "hidden" in attrs or _HIDDEN_RE.search(attrs.get("style") or "")
    if hidden and "hidden" not in visible.reasons:
        visible.score -= 0.2
        visible.reasons.append("hidden")
    away = node.tag in _AWAY_TAGS or _AWAY_RE.search(label)
    if away and not any(r.startswith("outside") for r in visible.reasons):
        visible.score -= 0.35
        visible.reasons.append(f"outside the product ({_short(label) or node.tag})")


def _mark_struck(visible: Visible, why: str) -> None:
    if not visible.struck:
        visible.struck = True
        visible.score -= 0.5
        visible.reasons.append(why)


def _short(label: str) -> str:
    return clean_text(label, limit=40)


def _has_ancestor(node: LexborNode, tags: tuple[str, ...]) -> bool:
    current = node.parent
    for _ in range(4):
        if current is None:
            return False
        if current.tag in tags:
            return True
        current = current.parent
    return False


def _score_position(found: list[Visible], layout: Layout) -> None:
    """Reward the candidates that share the deepest container with the title and the cart.

    "Deepest" is relative (the best any candidate achieves) and bounded (the container must
    be a few levels above the title), so a page whose only prices are in a carousel does not
    get its carousel rewarded.
    """
    live = [v for v in found if v.score > -1.0 and v.node is not None]
    for anchor, why, bonus, is_title in (
        (layout.title, "near the title", 0.3, True),
        (layout.cart, "near add-to-cart", 0.2, False),
    ):
        if anchor is None or not live:
            continue
        top = max(anchor.depth_of.values())
        depths = {id(v): anchor.shared_depth(v.node) for v in live if v.node is not None}
        best = max(depths.values())
        for v in live:
            depth = depths[id(v)]
            if depth == best and top - depth <= _CLOSE_LEVELS:
                v.score += bonus
                v.reasons.append(why)
                v.near_title = v.near_title or is_title
            elif depth >= best - 1 and top - depth <= _CLOSE_LEVELS + 1:
                v.score += bonus / 2
                v.reasons.append(f"{why} (one level out)")
