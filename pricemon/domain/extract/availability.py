"""Whether the product can be bought: from schema.org values and from what the page shows.

schema.org's ItemAvailability values (https://schema.org/ItemAvailability) arrive as URLs
(`https://schema.org/InStock`), bare names (`InStock`), or shop-made strings (`in stock`,
`instock`, `out_of_stock`). PreOrder and BackOrder can be bought, so they count as in stock;
Discontinued, SoldOut and OutOfStock cannot.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.page import Page, clean_text
from pricemon.models import Availability

_IN = {
    "instock",
    "instoreonly",
    "onlineonly",
    "limitedavailability",
    "preorder",
    "presale",
    "backorder",
    "available",
    "true",
    "yes",
}
_OUT = {"outofstock", "soldout", "discontinued", "unavailable", "false", "no", "notavailable"}

# Visible phrases that mean "cannot be bought now", in the languages of the shops we see most.
OUT_OF_STOCK_RE = re.compile(
    r"\b(?:out of stock|sold out|currently unavailable|no longer available|not available"
    r"|ausverkauft|nicht (?:mehr )?verfügbar|derzeit nicht lieferbar|nicht auf lager"
    r"|épuisé|en rupture(?: de stock)?|rupture de stock|agotado|sin stock|esaurito"
    r"|non disponibile|uitverkocht|niet op voorraad|slutsåld|utsolgt|udsolgt|wyprzedane"
    r"|niedostępny|esgotado|indisponível|在庫切れ|売り切れ|품절)",
    re.IGNORECASE,
)
_ADD_TO_CART_RE = re.compile(
    r"add to (?:cart|bag|basket)|buy now|in den warenkorb|ajouter au panier|añadir al carrito"
    r"|aggiungi al carrello|in winkelwagen|lägg i varukorgen|kaufen|カートに入れる",
    re.IGNORECASE,
)


def availability_from_schema(value: object) -> Availability | None:
    """Map a schema.org availability value (URL, name, or shop string) to Availability."""
    if isinstance(value, bool):
        return Availability.IN_STOCK if value else Availability.OUT_OF_STOCK
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip().rstrip("/").rsplit("/", 1)[-1]
    key = re.sub(r"[\s_\-]", "", name).lower()
    if key in _IN:
        return Availability.IN_STOCK
    if key in _OUT:
        return Availability.OUT_OF_STOCK
    return None


def add_to_cart_buttons(page: Page) -> list[LexborNode]:
    """Buttons (or submit inputs) whose text or name says they put the product in the cart."""
    found = []
    for node in page.tree.css(
        "button, input[type=submit], a[class*=cart], [name=add], [id*=add-to-cart i]"
    ):
        attrs = node.attributes
        label = " ".join(
            v or "" for v in (node.text(), attrs.get("value"), attrs.get("name"), attrs.get("id"))
        )
        label += " " + (attrs.get("class") or "")
        if _ADD_TO_CART_RE.search(label) or re.search(r"add[-_]?to[-_]?cart", label, re.I):
            found.append(node)
    return found


def visible_availability(page: Page, main_area: LexborNode | None) -> Availability | None:
    """What the main product area shows: "Sold out" text or a disabled add-to-cart button.

    Only the main area is read, since recommendation tiles often say "Sold out" for other
    products; a page without a recognisable main area is not judged.
    """
    buttons = add_to_cart_buttons(page)
    enabled = [b for b in buttons if not _disabled(b)]
    if buttons and not enabled:
        return Availability.OUT_OF_STOCK
    if main_area is not None:
        for node in main_area.css(
            "[class*=stock i], [class*=availab i], [id*=availab i], [class*=sold-out i], "
            "[class*=soldout i], button, .badge, [class*=label]"
        ):
            if OUT_OF_STOCK_RE.search(clean_text(node.text(), limit=120)):
                return Availability.OUT_OF_STOCK
    if enabled:
        return Availability.IN_STOCK
    return None


def _disabled(node: LexborNode) -> bool:
    attrs = node.attributes
    if "disabled" in attrs or attrs.get("aria-disabled") == "true":
        return True
    return bool(OUT_OF_STOCK_RE.search(node.text() or ""))
