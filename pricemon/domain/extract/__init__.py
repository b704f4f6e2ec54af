"""Static price extraction: one HTML document in, one `Extraction` out, no network.

extract_offer(html, url)
  ├── structured.py   JSON-LD Product / ProductGroup / Offer / AggregateOffer
  ├── microdata.py    itemprop="price" microdata, property="schema:price" RDFa
  ├── meta.py         og:price:amount, product:price:amount, og:title, og:image
  ├── platforms.py    Shopify, WooCommerce, Magento, BigCommerce, Amazon-like markup
  ├── heuristics.py   visible price candidates, ranked by where they sit and what they say
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
    return decide(page, html or "")
