"""Whether the product can be bought: from schema.org values and from what the page shows.

schema.org's ItemAvailability values (https://schema.org/ItemAvailability) arrive as URLs
(`https://schema.org/InStock`), bare names (`InStock`), or shop-made strings (`in stock`,
`instock`, `out_of_stock`). PreOrder and BackOrder can be bought, so they count as in stock;
Discontinued, SoldOut and OutOfStock cannot.
"""

from __future__ import annotations

import re
from collections.abc import Container

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
    r"|épuisé|en rupture(?: de stock)?|rupture de stock|indisponible|agotado|sin stock|esaurito"
    r"|non disponibile|uitverkocht|niet op voorraad|slutsåld|utsolgt|udsolgt|wyprzedane"
    r"|niedostępny|esgotado|indisponível|niet (?:meer )?leverbaar|niet beschikbaar"
    r"|tilapäisesti loppu|loppu varastosta|loppuunmyyty|ei saatavilla|ikke på lager|uppselt"
    r"|vyprodáno|nedostupné|elfogyott|nincs raktáron|нет в наличии|немає в наявності"
    r"|indisponibil|stoc epuizat|nu (?:mai )?este disponibil|nije dostupno|nema na zalihi"
    r"|ni na zalogi|ni na voljo|vypredané|nie je skladom|nav noliktavā|izpārdots|laost otsas"
    r"|нет в продаже|немає в продажу|товар закончился|дууссан"
    r"|plus disponible|(?:bientôt )?de retour (?:en|le|début|fin|dans)\b"
    r"|изчерпан|няма наличност|не е наличен"
    r"|在庫切れ|売り切れ|품절)",
    re.IGNORECASE,
)
# The same in scripts without letter case (IGNORECASE is slow on them), and Vietnamese,
# Greek and the like spelled out in the cases shops write ("Hết hàng", "hết hàng").
_OUT_CASELESS_RE = re.compile(
    r"缺貨|缺货|售完|已售罄|หมด|[hH]ết hàng|HẾT HÀNG|εξαντλήθηκε|μη διαθέσιμο|אזל|غير متوفر|نفدت"
)
_ADD_TO_CART_RE = re.compile(
    r"add to (?:your |my )?(?:cart|bag|basket|trolley)|buy now|in den warenkorb|ajouter au panier"
    r"|añadir al|agregar al carrito|aggiungi al carrello|in winkelwagen|lägg i varukorg"
    r"|legg i handlekurv|\blegg til\b(?! i (?:ønske|favoritt))|setja í körfu|thêm vào giỏ"
    r"|buy tickets|get tickets|jegyvásárlás|tickets kaufen|acheter des billets"
    r"|^\s*(?:place (?:a )?bid|bid now|enchérir|bieten|jetzt bieten|pujar|fai un'offerta"
    r"|acheter)\b"
    r"|^\s*(?:ship it|pick it up|deliver it)\b"  # a button per fulfilment method
    r"|comprar entradas|купить|купити|προσθήκη στο καλάθι"
    r"|læg i kurv|lisää ostoskoriin|dodaj do koszyka|adicionar (?:ao carrinho|à sacola)"
    r"|\bcomprar\b|kaufen"
    r"|sepete ekle|do košíku|do kosáru|kosárba|adaugă în coș|в корзину|カートに入れる|购买"
    r"|do košíka|v košarico|u košaricu|dodaj u korpu|adauga in cos|pievienot grozam"
    r"|lisa ostukorvi|į krepšelį|добави в количката"
    r"|장바구니",
    re.IGNORECASE,
)
# Scripts without letter case, kept out of the IGNORECASE pattern (which is several times
# slower per non-ASCII alternative).
_ADD_TO_CART_CASELESS_RE = re.compile(
    r"바로\s?구매|구매하기|かごに追加|カートに追加"
    r"|إضافة (?:إلى|ل)ل?سلة|أضف (?:إلى )?(?:ال)?(?:سلة|حقيبة)|اضف للسلة|أضف للحقيبة"
    r"|加入購物車|加入购物车|立即購買|立即购买|ใส่ตะกร้า|הוספה לסל|הוסף לסל"
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
    if page.cart_buttons is not None:
        return page.cart_buttons
    found = _buttons_saying_cart(page.tree.css(_BUTTONS))
    if not found:  # shops that draw the button as a styled link or span (Cafe24, Bitrix)
        found = _buttons_saying_cart(page.tree.css(_BUTTON_LIKE))
    page.cart_buttons = found
    return found


_BUTTONS = "button, input[type=submit], a[class*=cart], [name=add], [id*=add-to-cart i]"
# Cafe24 draws "바로 구매하기" as <a onclick="product_submit(…)"><span id="btnBuy">. Image
# buttons (`<input type="image" alt="Add to Cart">`) are osCommerce 2.2's and other older
# shops'; all are looked for only when no real button says "cart".
_BUTTON_LIKE = (
    "a[class*=btn i], span[class*=btn i], span[id^=btn i], a[onclick*=submit i], input[type=image]"
)


def _buttons_saying_cart(nodes: list[LexborNode]) -> list[LexborNode]:
    found = []
    # The product's own button comes early in the document; marketplace pages then repeat
    # "Add to cart" on every recommendation tile, which only cost time to read.
    for node in nodes[:_MAX_BUTTONS]:
        attrs = node.attributes
        label = " ".join(
            v or "" for v in (node.text(), attrs.get("value"), attrs.get("name"), attrs.get("id"))
        )
        if node.tag == "input" and attrs.get("type") == "image":
            label += f" {attrs.get('alt') or ''} {attrs.get('title') or ''}"
        label += " " + (attrs.get("class") or "")
        if (
            _ADD_TO_CART_RE.search(label)
            or _CART_CLASS_RE.search(label)
            or (not label.isascii() and _ADD_TO_CART_CASELESS_RE.search(label))
        ):
            found.append(node)
    return found


_MAX_BUTTONS = 80
_CART_CLASS_RE = re.compile(r"add[-_]?to[-_]?cart", re.I)


IN_STOCK_RE = re.compile(
    r"\b(?:in stock|available|auf lager|lieferbar|sofort verfügbar|en stock|disponible"
    r"|disponibile|op voorraad|på lager|i lager|dostępny|em estoque|an lager|disponível"
    r"|in magazzino|varastossa|skladem|na stanie|til á lager|raktáron|в наличии"
    r"|є в наявності|còn hàng|có sẵn|saatavilla|na zalogi|na zalihi|în stoc|in stoc|skladom"
    r"|noliktavā|laos)\b|在庫あり",
    re.IGNORECASE,
)
_IN_CASELESS_RE = re.compile(r"有貨|現貨|有现货|现货|库存充足|มีสินค้า|διαθέσιμο|במלאי|متوفر")


_LEAD_CHARS = 300  # the title block's opening text: title, rating, price or its absence


def visible_availability(
    page: Page, main_area: LexborNode | None, title_ids: Container[int] = frozenset()
) -> Availability | None:
    """What the main product area shows: a stock label, or a sold-out add-to-cart button.

    Only the main area is read, since recommendation tiles often say "Sold out" for other
    products. An enabled add-to-cart button wins (themes keep hidden "Sold out" badges in
    the markup), unless it sits in a related-products or carousel container that does not
    hold the title (`title_ids`: the title's ancestors), where it buys another product; then
    a stock label ("In stock", "Ausverkauft"), which beats a disabled button because some
    platforms render the button disabled until their JavaScript has loaded (Magento 2);
    then a button that says "Sold out".
    """
    label = _stock_label(main_area) if main_area is not None else None
    buttons = add_to_cart_buttons(page)
    if any(not _disabled(b) and not _for_other_product(b, title_ids) for b in buttons):
        return Availability.IN_STOCK
    if label is not None:
        return label
    if any(OUT_OF_STOCK_RE.search(b.text() or "") for b in buttons):
        return Availability.OUT_OF_STOCK
    if not buttons and main_area is not None:
        # Nothing to press and no stock label: a catalogue or a shop that drops the button
        # says it in place of the price, right under the title ("Нет в продаже").
        lead = clean_text(main_area.text(), limit=_LEAD_CHARS)
        if OUT_OF_STOCK_RE.search(lead) or (not lead.isascii() and _OUT_CASELESS_RE.search(lead)):
            return Availability.OUT_OF_STOCK
    return None


def _stock_label(main_area: LexborNode) -> Availability | None:
    for node in main_area.css(
        "[class*=stock i], [class*=availab i], [id*=availab i], [class*=sold-out i], "
        "[class*=soldout i], [class*=delivery i], [class*=dostep i], [class*=lager i], "
        "[class*=dispon i], [class*=voorraad i], [class*=estoque i], [class*=verfueg i], "
        "[class*=lieferzeit i], [class*=varast i], [class*=discontinu i], [class*=status i]"
    ):
        text = clean_text(node.text(), limit=120)
        caseless = not text.isascii()
        if OUT_OF_STOCK_RE.search(text) or (caseless and _OUT_CASELESS_RE.search(text)):
            return Availability.OUT_OF_STOCK
        if IN_STOCK_RE.search(text) or (caseless and _IN_CASELESS_RE.search(text)):
            return Availability.IN_STOCK
    return None


def _for_other_product(button: LexborNode, title_ids: Container[int]) -> bool:
    current = button.parent
    for _ in range(_OTHER_PRODUCT_LEVELS):
        if current is None or current.mem_id in title_ids:
            return False
        label = f"{current.attributes.get('class') or ''} {current.attributes.get('id') or ''}"
        if _OTHER_PRODUCTS_RE.search(label):
            return True
        current = current.parent
    return False


# Containers of other products' tiles; narrower than rules.AWAY_RE, whose page-builder
# "widget" and chrome classes also wrap the product's own button.
_OTHER_PRODUCTS_RE = re.compile(
    r"related|recommend|similar|upsell|up-sell|cross-?sell|carousel|swiper|slick|recent"
    r"|viewed|sponsor|you-may|might-like|frequently|also-|product-grid|product-list|productlist"
    r"|product-card|product-tile",
    re.I,
)
_OTHER_PRODUCT_LEVELS = 8


def _disabled(node: LexborNode) -> bool:
    attrs = node.attributes
    if "disabled" in attrs or attrs.get("aria-disabled") == "true":
        return True
    return bool(OUT_OF_STOCK_RE.search(node.text() or ""))
