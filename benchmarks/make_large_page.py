# ruff: noqa: E501  (HTML templates read better unwrapped)
"""Write tests/fixtures/pages/large_marketplace.html: a ~300 KB product page.

Real marketplace pages weigh 300 KB to 1 MB, most of it navigation, recommendation
carousels, reviews and inline state. This script builds one deterministically (fixed seed)
so the extraction benchmark has a page of realistic size and shape. Run it again only to
change the page: `.venv/bin/python benchmarks/make_large_page.py`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent.parent / "tests" / "fixtures" / "pages" / "large_marketplace.html"
DEPARTMENTS = [
    "TV & Home Theater",
    "Computers & Tablets",
    "Cell Phones",
    "Cameras",
    "Audio",
    "Video Games",
    "Appliances",
    "Smart Home",
    "Wearables",
    "Office",
    "Health",
    "Toys",
]
NOUNS = [
    "Laptop",
    "Monitor",
    "Headphones",
    "Soundbar",
    "Tablet",
    "Router",
    "Keyboard",
    "Mouse",
    "Webcam",
    "Speaker",
    "Charger",
    "Smartwatch",
    "Printer",
    "Drive",
    "Microphone",
    "Dock",
]
ADJECTIVES = ["Pro", "Ultra", "Max", "Air", "Lite", "Plus", "Studio", "Neo", "Prime", "Go"]
WORDS = [
    "great",
    "value",
    "fast",
    "setup",
    "battery",
    "life",
    "screen",
    "bright",
    "quiet",
    "fan",
    "build",
    "quality",
    "solid",
    "keyboard",
    "comfortable",
    "travel",
    "weight",
    "light",
    "speakers",
    "loud",
    "clear",
    "colours",
    "accurate",
    "ports",
    "plenty",
    "would",
    "buy",
    "again",
    "returned",
    "first",
    "unit",
    "arrived",
    "damaged",
    "replacement",
    "perfect",
    "customer",
    "service",
]


def product_name(rng: random.Random) -> str:
    return (
        f"{rng.choice(['Vexa', 'Orion', 'Kaito', 'Lumo', 'Norda'])} {rng.choice(NOUNS)} "
        f"{rng.choice(ADJECTIVES)} {rng.randint(2, 9)}{rng.choice(['', 'X', 'S'])}"
    )


def price(rng: random.Random) -> str:
    return f"${rng.randint(19, 1999):,}.{rng.choice(['99', '95', '00', '49'])}"


def mega_menu(rng: random.Random) -> str:
    parts = ['<nav class="mega-menu" aria-label="All departments"><ul class="mega-menu__list">']
    for dept in DEPARTMENTS:
        parts.append(
            f'<li class="mega-menu__dept"><button class="mega-menu__toggle">{dept}</button>'
        )
        parts.append('<div class="mega-menu__panel"><div class="mega-menu__columns">')
        for col in range(4):
            parts.append(f'<ul class="mega-menu__column" data-col="{col}">')
            for _ in range(12):
                name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}s"
                slug = name.lower().replace(" ", "-")
                parts.append(
                    f'<li><a class="mega-menu__link" href="/site/{slug}/pcmcat{rng.randint(10**8, 10**9)}.c">{name}</a></li>'
                )
            parts.append("</ul>")
        parts.append(
            '<div class="mega-menu__promo"><a href="/deals">Top deals in '
            + dept
            + f'</a><span class="mega-menu__promo-price">from {price(rng)}</span></div>'
        )
        parts.append("</div></div></li>")
    parts.append("</ul></nav>")
    return "".join(parts)


def tile(rng: random.Random, i: int) -> str:
    name = product_name(rng)
    sale = rng.random() < 0.3
    was = f'<span class="product-tile__was"><s>{price(rng)}</s></span>' if sale else ""
    return (
        f'<li class="carousel__item"><div class="product-tile" data-sku="{6_000_000 + i}">'
        f'<a class="product-tile__image" href="/site/{name.lower().replace(" ", "-")}/{6_000_000 + i}.p">'
        f'<img src="https://pisces.example-cdn.com/{6_000_000 + i}_sd.jpg" alt="{name}" loading="lazy" width="160" height="160"></a>'
        f'<h4 class="product-tile__title"><a href="/site/{6_000_000 + i}.p">{name}</a></h4>'
        f'<div class="product-tile__rating"><span class="visually-hidden">Rating {rng.randint(30, 50) / 10} out of 5 stars with {rng.randint(3, 9000)} reviews</span></div>'
        f'<div class="product-tile__price"><span class="product-tile__now">{price(rng)}</span>{was}</div>'
        f'<button class="product-tile__add btn btn-secondary" data-sku="{6_000_000 + i}">Add to Cart</button>'
        "</div></li>"
    )


def carousel(rng: random.Random, title: str, slug: str, start: int) -> str:
    tiles = "".join(tile(rng, start + i) for i in range(44))
    return (
        f'<section class="carousel carousel--{slug}" aria-label="{title}"><h2 class="carousel__title">{title}</h2>'
        f'<ul class="carousel__track">{tiles}</ul></section>'
    )


def reviews(rng: random.Random) -> str:
    parts = ['<section id="reviews" class="ugc-reviews"><h2>Customer reviews</h2>']
    for i in range(125):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90)))
        parts.append(
            f'<article class="review-item"><h3 class="review-title">{" ".join(rng.choice(WORDS) for _ in range(4)).title()}</h3>'
            f'<div class="review-meta">Reviewer {i} · Verified purchase · {rng.randint(1, 28)} days ago</div>'
            f'<p class="review-text">{text}.</p><div class="review-helpful">Helpful ({rng.randint(0, 90)})</div></article>'
        )
    parts.append("</section>")
    return "".join(parts)


def state_blob(rng: random.Random) -> str:
    items = [
        {
            "sku": 6_100_000 + i,
            "name": product_name(rng),
            "price": {"current": rng.randint(19, 1999) + 0.99},
            "badges": ["clearance"] if rng.random() < 0.1 else [],
            "ratings": rng.randint(0, 9000),
        }
        for i in range(160)
    ]
    return json.dumps({"recommendations": items, "experiments": {"pdp-layout": "b"}})


def footer(rng: random.Random) -> str:
    links = "".join(
        f'<li><a href="/site/help/{rng.randint(1000, 9999)}">{rng.choice(WORDS).title()} {rng.choice(WORDS)}</a></li>'
        for _ in range(220)
    )
    return f'<footer class="site-footer"><ul class="site-footer__links">{links}</ul><p>Free shipping on orders $35 and up. Prices and offers are subject to change. © 2026 ElectroMart</p></footer>'


def build() -> str:
    rng = random.Random(20261128)
    main_jsonld = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Vexa Laptop Pro 14 (32GB RAM, 1TB SSD) - Graphite",
        "sku": "6512345",
        "gtin13": "0195553012345",
        "image": "https://pisces.example-cdn.com/6512345_sd.jpg",
        "brand": {"@type": "Brand", "name": "Vexa"},
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": "4.7",
            "reviewCount": "1873",
        },
        "offers": {
            "@type": "Offer",
            "price": "1149.99",
            "priceCurrency": "USD",
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "Organization", "name": "ElectroMart"},
        },
    }
    head = (
        '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">'
        "<title>Vexa Laptop Pro 14 (32GB RAM, 1TB SSD) - Graphite - ElectroMart</title>"
        '<meta property="og:title" content="Vexa Laptop Pro 14 (32GB RAM, 1TB SSD) - Graphite">'
        '<meta property="og:image" content="https://pisces.example-cdn.com/6512345_sd.jpg">'
        f'<script type="application/ld+json">{json.dumps(main_jsonld)}</script>'
        '<link rel="stylesheet" href="/static/css/pdp.8c1d.css"></head>'
    )
    buybox = (
        '<div class="shop-product-title"><h1 class="heading-5 v-fw-regular">Vexa Laptop Pro 14 (32GB RAM, 1TB SSD) - Graphite</h1>'
        '<div class="sku-model"><span>Model: VX-P14-G</span> <span>SKU: 6512345</span></div></div>'
        '<div class="pricing-price" data-testid="pricing-price"><div class="priceView-hero-price priceView-customer-price">'
        '<span aria-hidden="true">$1,149.99</span><span class="sr-only">Your price for this item is $1,149.99</span></div>'
        '<div class="pricing-price__savings">Save $150</div>'
        '<div class="pricing-price__regular-price">Was <span class="pricing-price__was">$1,299.99</span></div>'
        '<div class="pricing-price__financing">or $95.83/mo. for 12 months with ElectroMart Card</div></div>'
        '<div class="fulfillment-fulfillment-summary"><span class="availability-ready">Ready for pickup today</span></div>'
        '<div class="fulfillment-add-to-cart-button"><button class="c-button c-button-primary add-to-cart-button" type="button" data-sku-id="6512345">Add to Cart</button></div>'
    )
    body = (
        f'<body><div class="announcement-bar">Black Friday prices are live. Free shipping on orders $35+</div>'
        f'<header class="site-header"><a class="logo" href="/">ElectroMart</a><form class="search"><input name="st"></form>'
        f'<div class="cart-icon"><span class="cart-count">0</span></div></header>{mega_menu(rng)}'
        '<main class="pdp"><nav class="breadcrumb"><a href="/">Home</a> / <a href="/computers">Computers</a> / Laptops</nav>'
        '<div class="pdp-top"><div class="pdp-media"><img src="https://pisces.example-cdn.com/6512345_sd.jpg" alt="Vexa Laptop Pro 14"></div>'
        f'<div class="pdp-buybox">{buybox}</div></div>'
        '<section class="pdp-specs"><h2>Highlights</h2><p>14-inch 2.8K 120 Hz display, 12-core processor, 32 GB memory and a 1 TB SSD in a 1.3 kg aluminium chassis. Up to 15 hours of video playback.</p></section>'
        f"{carousel(rng, 'Frequently bought together', 'fbt', 0)}"
        f"{carousel(rng, 'Customers also viewed', 'also-viewed', 100)}"
        f"{carousel(rng, 'Sponsored products', 'sponsored', 200)}"
        f"{carousel(rng, 'Recently viewed', 'recently-viewed', 300)}"
        f"{reviews(rng)}</main>{footer(rng)}"
        f'<script id="pdp-state" type="application/json">{state_blob(rng)}</script>'
        "</body></html>"
    )
    return head + body


if __name__ == "__main__":
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
