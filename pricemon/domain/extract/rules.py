"""What the words and the markup around an amount say about it.

The tables here encode how shops label old, members', "from" and tax-exclusive prices, and
what their class names say (struck, sale, recommendation widget); the words that make an
amount no price at all (unit prices, instalments, savings, thresholds) are in not_price.py.
They are data for heuristics.py, kept apart so the scoring code stays readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from selectolax.lexbor import LexborNode

from pricemon.domain.extract.page import clean_text

# A currency written before the number, to strip before the label rules look at the words:
# "Save US $150", "Get AED 145 cashback", "Экономия 3 500 ₽".
TRAILING_CURRENCY_RE = re.compile(r"(?:(?:\b[A-Z]{1,3}\s?)?[€$£¥₹₩₽₺]|\b([A-Z]{3})|\bkr\.?)\s*$")
# Words of running text: a price inside a sentence ("a great gift for under £100!", "last
# seen for 899 €") is weaker evidence than one in its own label.
PROSE_WORD_RE = re.compile(r"[^\W\d_]{3,}")
PROSE_WORDS = 7
INLINE_TAGS = {"span", "b", "strong", "em", "i", "small", "s", "del", "ins", "sup", "sub", "a"}
INLINE_TAGS |= {"label", "bdi", "u", "abbr", "data", "font", "mark", "time", "meta", "-text"}
# h1 is the product name ("Smart TV 55\" 4K"), never its price.
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "title", "textarea", "head", "h1"}
MAX_TEXT = 160  # longer text nodes are prose, not price labels
DIGIT_RE = re.compile(r"\d")
# "45%", and the Chinese discount "6折" (pay 60%): a rate, never an amount.
PERCENT_RE = re.compile(r"\d\s*[%折]")
PRICEISH_RE = re.compile(
    r"price|preis|prix|precio|prezzo|pris|preco|preço|prijs|cena|cijena|hinta|fiyat|kaina"
    r"|amount|cost|money|betrag|kaufpreis",
    re.I,
)
# Classes of numbers that sit in price boxes but are not amounts ("price-quantity": "Bis 9",
# Shoptet's "availability-amount": "(>5 ks)").
NOT_AMOUNT_CLASS_RE = re.compile(
    r"quantit|qty|menge|anzahl|(?<!dis)count|stock|availab\w*[-_]amount|rating|review|percent", re.I
)
# Labels of prices for members only (loyalty cards, paid clubs): not what everyone pays.
MEMBER_LABEL_RE = re.compile(
    r"(?:member(?:s|ship)?(?: only)?(?: price)?|prix adhérent|adhérents?|club price|mitgliederpreis"
    r"|family[- ]pris|family price|plus price|select-prijs|met select betaal je|circle price"
    r"|cena pro členy|pro členy|cena dla członków|会員価格|會員價|会员价|회원가|plus'a özel"
    r"|для членов клуба"
    r"|klubbpris|kundeklubbpris|jäsenhinta|precio cmr|precio tarjeta|card price)\W*$",
    re.I,
)
# The same label written after the amount ("$ 1.799.900 Precio CMR").
MEMBER_AFTER_RE = re.compile(
    r"^\W{0,3}(?:member(?:s|ship)? price|club price|precio cmr|precio (?:con )?tarjeta"
    r"|prix adhérent|klubbpris|card price)",
    re.I,
)
STRUCK_TAGS = {"del", "s", "strike"}
# A class "price-list" alone is a list OF prices (wholesale quantity tiers, a pricelist, Ticimax's
# "PriceList" box), not a list price; "price--list" (a BEM modifier) and "list-price" are list
# prices. "price-standard" is the struck standard price of Shoptet and Salesforce Commerce Cloud.
STRUCK_RE = re.compile(
    r"\b(?:was|old|compare|(?<!price[-_])list(?=[-_]?pr|\s|$)|before|origin(?:al)?|org(?![a-z])"
    r"|rrp|msrp|uvp|strike|crossed"
    r"|retail|reference)"
    r"|(?:was|old|compare|list|strike|crossed|original|before)[-_]?price|price[-_]?(?:was|old"
    r"|compare|list(?!\s|$)|before|original|strike|standard)|line-through|strikethrough"
    r"|basisprice|a-text-price"
    r"|deleted",
    re.I,
)
STATE_CLASS_RE = re.compile(r"\b(?:with|has|is|on)[-_][\w-]+")
# Classes of amounts that are not the price: shipping fees, loyalty points, instalments,
# savings (Korean shops' "delv_price" and "mileage", "installment-price", "you-save").
NOT_PRICE_CLASS_RE = re.compile(
    r"shipping|delivery[-_]?(?:price|cost|fee)|delv|postage|versandkosten|mileage|reward"
    r"|loyalty|points|instal+ment|financ|klarna|afterpay|affirm|you[-_]?save|saving"
    r"|discount[-_]?amount|price[-_]?saving",
    re.I,
)
UNIT_CLASS_RE = re.compile(
    r"unit[-_]?price|price[-_]?unit|base[-_]?price|grundpreis|price[-_]?per|per[-_]?unit", re.I
)
REGULAR_RE = re.compile(r"regular|normal", re.I)
SALE_RE = re.compile(
    r"sale|special|final|current|\bnow\b|deal|promo|\boffer|to-?pay|topay|our[-_]?price"
    r"|actual|selling|reduced|discounted",
    re.I,
)
AWAY_RE = re.compile(
    r"related|recommend|similar|also|upsell|up-sell|cross-?sell|crosssell|carousel|slider"
    r"|swiper|slick|recent|viewed|bundle|accessor|sponsor|you-may|others|complete-the-look"
    r"|mini-?cart|cart-drawer|cart-item|(?<![\w-])(?:site[-_])?(?:header|footer)|breadcrumb"
    r"|newsletter|relation|relacionad|correlat|aehnlich|ähnlich|similaire|simili|zubehoer"
    r"|might-like|frequently|fbt|mag-ook|passend|review|(?<!cel)widget|product-grid|product-list|productlist|grid-item|product-card"
    # "product-item" tiles, but not their own price element, nor Bitrix's "product-item-detail"
    # (the product itself)
    r"|product-item(?![-_](?:price|detail))"
    r"|product-tile|megamenu|mega-menu|promo-bar|announcement|a-carousel|sims|pdp-reco"
    r"|other[-_]?(?:offers?|sellers?)|partner[-_]?offers?"
    # Side columns (osCommerce's columnLeft, PrestaShop 1.6's #right_column, Magento's
    # "col-left sidebar") hold specials, bestsellers and the cart; "pb-right-column" and
    # "product__sidebar" are the product's own.
    r"|(?<![\w-])(?:sidebar|column[-_]?(?:left|right)|(?:left|right)[-_]?column)",
    re.I,
)
AWAY_TAGS = {"header", "footer", "nav", "aside"}
# Headings of sections about other products, for shops whose carousels have no telling class.
# Lowercase: it is matched against lowercased text.
AWAY_HEADING_RE = re.compile(
    r"also (?:bought|viewed|like|consulted)|you (?:may|might) (?:also )?like|related|similar"
    r"|recommended|recommendations|frequently bought|bought together|customers who|complete"
    r" (?:the|your) (?:look|setup)|recently viewed|kunden kauften|ähnliche|das könnte|passend"
    r"|zubehör|vous aimerez|les clients ont|produits similaires|peuvent vous intéresser"
    r"|también compraron|relacionad|similares|completa tu look|vaak samen|andere klanten"
    r"|andre købte|du vil kanskje|passar bra med|kapcsolódó|polecane|podobne|doporučen"
    r"|с этим товаром|похожие|よく一緒に購入|この商品を(?:見た|買った)人|関連商品|관련상품"
    r"|함께 구매|منتجات ذات صلة|منتجات مشابهة|benzer ürünler|birlikte al"
    r"|au cump[aă]rat [sș]i|vizualizate recent|produse similare|kupci su (?:kupili|također)"
    r"|zákazníci (?:tiež|si tiež|ktorí)|ostatní zákazníci|jums varētu patikt|seotud tooted"
    r"|sorodni izdelki|morda vas zanima|chi ha acquistato|potrebbe(?:ro)? interessarti"
    r"|também (?:poderá gostar|compraram|viram)|klienci kupili|inni klienci"
    # Other sellers' offers for the same product (marketplaces, department stores' partners)
    r"|other (?:sellers|offers)|also available from|autres (?:offres|vendeurs)"
    r"|weitere angebote|andere (?:anbieter|verkäufer)|otros vendedores|altre offerte"
)  # matched against lowercased text: re.I over non-ASCII alternatives is 7x slower
_DESCRIPTION_RE = re.compile(r"descr", re.I)
HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# A currency written after the number, to strip before the label rules look at the words
# ("12 TL üzeri" -> "üzeri"); three capitals only when an ISO code ("$25 OFF" keeps its "OFF").
CURRENCY_PREFIX_RE = re.compile(
    r"^\s*(?:[€$£¥₹₩₽₺₫₦₱฿₪]|([A-Z]{3})\b|kr\.?|zł|Kč|Ft|TL\b|円|元)\s*"
)
# Labels of old prices, and of the EU's "lowest price in the 30 days before the discount"
# (Omnibus directive 2019/2161), which shops must show next to every reduced price.
WAS_LABEL_RE = re.compile(
    r"^\W*de:?\s*$"  # Brazilian "De: R$ 3.499 Por: R$ 2.899" (alone: "de" is a common word)
    r"|(?:\b(?:was|war|statt|avant|au lieu de|antes|uvp|rrp|mrp|msrp|list price|list|reg\.?"
    r"|regular price|original price|originally|compare at|valued at|retail price|ord\.? pris"
    r"|ordinarie pris|normalpris|cena regularna|cena katalogowa|normalpreis|bisher|prix barré"
    r"|prix de référence|prix conseillé|prezzo di listino|prezzo consigliato|precio anterior"
    r"|precio de referencia|preço de referência|adviesprijs|vorher|before|eredeti ár|régi ár"
    r"|původně|původní cena|cena nového|neupreis|prix neuf|precio nuevo|price new|старая цена"
    r"|было|eski fiyat|previously|zuletzt gesehen für|originalpreis|ursprünglicher preis"
    r"|last seen (?:at|for))\W*$)"
    r"|(?:najniższa cena|niedrigster preis|lowest price|prix le plus bas|prezzo più basso"
    r"|precio más bajo|laagste prijs|lägsta pris|laveste pris|alin hinta|nejnižší cena"
    r"|legalacsonyabb ár|cel mai mic preț|preço mais baixo|tidigare pris|førpris)[^€$£]{0,60}$"
    # A market price is a reference, written alone or as a range ("Market price: ₦ 360,000 ~
    # ₦ 420,000" beside a classified ad's own price; Turkish shops' "Piyasa Fiyatı").
    r"|(?:market price|piyasa fiyatı|市场价|市場價)\W*(?:\d[\d.,'’\s]*\W*(?:~|[-–—]|to)\W*)?$"
    # Chinese, Japanese and Korean "original / list / market price" ("$210原價 $350",
    # "メーカー希望小売価格 22,000円" over the shop's price); no \b, which does not separate CJK
    # words. 定価 not inside 限定価格 ("limited price").
    r"|(?:希望小売価格|参考価格|通常価格|通常販売価格|(?<![限予特])定価|原價|原价|定價|定价|市價|市价"
    r"|建議售價|建议售价|정상가|소비자가)\W*$",
    re.I,
)
# Labels of the price to pay ("Now $89", "Jetzt 79 €", "Por: R$ 2.899").
NOW_LABEL_RE = re.compile(
    r"\b(?:now|sale|sale price|our price|your price|price|deal|only|jetzt|nur|ahora|maintenant"
    r"|por|prix|preis|precio|prezzo|pris|cena|nu|now only|bruttó ár|ár|fiyat|hinta|prijs"
    r"|цена|販売価格|価格|판매가|가격|السعر)\W*$",
    re.I,
)
# An amount right after a price, in brackets or after a slash: "23,50 € (177,06 kn)",
# "19,90 € / 149,94 kn", "25,00 лв. (12,78 €)". In another currency it is that price converted
# (dual display during a changeover to the euro, or a conversion for foreign visitors).
CONVERTED_AFTER_RE = re.compile(r"(\S{0,4}\s?\d[\d.,'’ ]*\s?\S{0,4})\s*[(/≈]\s*$")
# B2B shops show the net price next to the gross one; people pay (and compare) the gross.
EXCL_TAX_RE = re.compile(
    r"^\W{0,3}(?:excl\.?|exkl\.?|ex\.? vat|excluding|zzgl\.? mwst|netto|ht\b|hors taxes?"
    r"|sans tva|\+ ?vat|\+ ?mwst|plus vat|ohne mwst|before tax|bez dph|ex\.? gst|税抜|税別)",
    re.I,
)
# The upper end of a price range ("€10,00 – €20,00"): the low end is the price shown first.
# The same, written before the amount ("Nettó ár: 19 677 Ft", "bez DPH 10 735 Kč").
EXCL_TAX_BEFORE_RE = re.compile(
    r"(?:\bnett[oó](?:preis| ár)?|\bnet price|prix ht|hors taxes|bez dph|bez vat|excl\.? (?:vat"
    r"|btw|mwst|tax|gst)|ex\.? (?:vat|gst|tax)|exkl\.? mwst|без ндс|brez ddv|bez pdv|bez pvn"
    r"|fără tva|fara tva|ilma km|senza iva|sem iva|sin iva|χωρίς φ\.?π\.?α|без ддс|kdv hariç"
    r"|税抜|税別|本体価格)\W*$",
    re.I,
)
RANGE_END_RE = re.compile(
    r"\d\s*(?:[€$£¥₹]|[A-Z]{3}|kr|zł)?\s*(?:[-–—]|to|bis|à|hasta|tot|till)\s*$", re.I
)
# "From" prices: the cheapest variant or seller, often the price shown, but weaker evidence.
# Magento writes "As low as" for tier and configurable prices.
FROM_RE = re.compile(
    r"\b(?:from|ab|à partir de|a partir de|desde|starting at|as low as|da|vanaf|fra|från|от"
    r"|od|de la|alates)\s*$",
    re.I,
)


@dataclass(frozen=True)
class Markup:
    """What one element's tag, class, id and style say about a price inside it."""

    struck: str | None = None
    regular: bool = False
    sale: bool = False
    priceish: bool = False
    itemprop_price: bool = False
    hidden: bool = False
    away: str | None = None


@lru_cache(maxsize=8192)
def classify_markup(
    tag: str, cls: str, ident: str, style: str, itemprop: str, hidden: bool, test_id: str = ""
) -> Markup:
    """Classify an element by its attributes (cached: shops repeat the same classes).

    `test_id` (data-testid, data-auto, ...) only marks old prices: apps with generated class
    names say "old-price" there and nowhere else."""
    label = STATE_CLASS_RE.sub(" ", f"{cls} {ident}")
    struck = None
    if tag in STRUCK_TAGS or STRUCK_RE.search(label) or (test_id and STRUCK_RE.search(test_id)):
        struck = f"struck or old price ({tag})"
    elif "line-through" in style:
        struck = "line-through style"
    away = None
    if tag in AWAY_TAGS or AWAY_RE.search(_without_inner_parts(label)):
        away = f"outside the product ({clean_text(label, limit=40) or tag})"
    return Markup(
        struck=struck,
        regular=bool(REGULAR_RE.search(label)),
        sale=bool(SALE_RE.search(label)),
        priceish=bool(PRICEISH_RE.search(label)),
        itemprop_price=itemprop == "price",
        hidden=hidden or bool(HIDDEN_RE.search(style)),
        away=away,
    )


def _without_inner_parts(label: str) -> str:
    """`label` without BEM elements of an away-looking block ("product-card__buybox"): the
    block itself says whether it is away (a carousel tile is a "product-card", and its price
    "product-card__price" is away through it), and the page's own product card is not. An
    element that names an away part itself ("pdp__related-products") stays."""
    if "__" not in label:
        return label
    kept = []
    for token in label.split():
        block, _, part = token.partition("__")
        if part and AWAY_RE.search(block) and not AWAY_RE.search(part):
            continue
        kept.append(token)
    return " ".join(kept)


def markup_of(node: LexborNode, cache: dict[int, Markup]) -> Markup:
    found = cache.get(node.mem_id)
    if found is None:
        attrs = node.attributes
        found = classify_markup(
            node.tag or "",
            attrs.get("class") or "",
            attrs.get("id") or "",
            attrs.get("style") or "",
            attrs.get("itemprop") or "",
            "hidden" in attrs,
            attrs.get("data-testid") or attrs.get("data-auto") or attrs.get("data-test") or "",
        )
        cache[node.mem_id] = found
    return found


def has_ancestor(node: LexborNode, tags: tuple[str, ...]) -> bool:
    current = node.parent
    for _ in range(4):
        if current is None:
            return False
        if current.tag in tags:
            return True
        current = current.parent
    return False


def in_option_label(node: LexborNode) -> bool:
    """True inside a `<label>` with a checkbox or radio: "3 years cover £149", "Add a case
    for $129", "Installation 39,00 €" are options next to the product, not its price."""
    current = node.parent
    for _ in range(4):
        if current is None or current.tag in ("body", "form", "main"):
            return False
        if current.tag == "label":
            return current.css_first("input[type=checkbox], input[type=radio]") is not None
        current = current.parent
    return False


def in_description(node: LexborNode) -> bool:
    """True inside the product description (itemprop=description, a "description" class)."""
    current: LexborNode | None = node
    for _ in range(8):
        if current is None or current.tag in ("body", "main"):
            return False
        attrs = current.attributes
        label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if attrs.get("itemprop") == "description" or _DESCRIPTION_RE.search(label):
            return True
        current = current.parent
    return False
