"""Small product pages built around the markup under test."""

from __future__ import annotations

FILLER = (
    "<p>Made from recycled materials in a small workshop. Every piece is inspected by hand "
    "before it ships, and comes with a two-year warranty and free returns within 30 days. "
    "Care: wipe clean with a damp cloth; do not put it in the dishwasher.</p>"
)


def product_page(
    main: str, *, head: str = "", lang: str = "en", before: str = "", after: str = ""
) -> str:
    """A page with a header, `before`, a main product block holding `main`, `after`, a footer."""
    return (
        f'<!doctype html><html lang="{lang}"><head><title>Shop</title>{head}</head><body>'
        '<header class="site-header"><a href="/">Shop</a><a href="/cart">Cart</a></header>'
        f'{before}<main><div class="product"><div class="product-info"><h1>Walnut Desk Lamp</h1>'
        f'{main}<button class="add-to-cart" type="submit">Add to cart</button>{FILLER}</div></div>'
        f'{after}</main><footer class="site-footer"><p>© Shop</p></footer></body></html>'
    )
