"""Static price extraction: one HTML document in, one `Extraction` out, no network.

extract_offer(html, url)
  ├── page.py         the parsed document (parsed once) and its locale and currency hints
  ├── structured.py   JSON-LD Product / ProductGroup / Offer / AggregateOffer
  ├── microdata.py    itemprop="price" microdata, property="schema:price" RDFa
  ├── meta.py         og:price:amount, product:price:amount, og:title, og:image
  ├── platforms.py    Shopify, WooCommerce, Magento, BigCommerce, VTEX, Amazon-like markup
  ├── scripts.py      the product's price in embedded JSON state (__NEXT_DATA__ and co.)
  ├── layout.py       where the title and the add-to-cart button are
  ├── regions.py      recommendation carousels, menus, footers: read in one pass
  ├── heuristics.py   visible price candidates, ranked by where they sit and what they say
  ├── elements.py     which element holds a whole price (split prices, currency beside it)
  ├── price_text.py   the text of a price element ("$<b>29</b><sup>99</sup>") and its neighbours
  ├── rules.py        the words and classes that mark old, members' and sale prices
  ├── not_price.py    the words that make an amount no price (unit, instalment, shipping)
  ├── availability.py schema.org availability values, "Sold out", disabled cart buttons
  ├── signals.py      bot walls and JavaScript app shells
  └── decide.py       weighs all of the above and records why
"""

from __future__ import annotations

from pricemon.domain.extract.decide import decide
from pricemon.domain.extract.page import Page
from pricemon.domain.offer import Extraction

__all__ = ["extract_offer"]


def extract_offer(html: str, url: str) -> Extraction:
    """Read the product's price, currency, availability, title and image from one page.

    Pure: parses `html` once and runs every static extractor on the shared tree. `url` gives
    locale hints (`.com.au` makes `$` AUD) and selects the variant named in `?variant=`.
    The result names the winning source in `method`, lists every candidate with its score,
    says why in `notes`, and flags bot walls (`blocked`) and JavaScript app shells
    (`looks_script_rendered`).
    """
    page = Page.parse(html or "", url)
    return decide(page)
