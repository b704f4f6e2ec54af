"""Amounts that are not the price to pay, told by the words right around them: unit prices,
instalments, savings, shipping fees and thresholds, rewards, coupons, add-ons, quantity tiers,
multipacks, fees inside the price, exchange rates, card-only prices.

Each rule looks only at the text just before or just after the amount, so a "Save $50" badge
next to the real price does not sink the real price. The wordlists cover the languages of the
shops the corpora in tests/fixtures imitate; a new language is a new alternative here.
"""

from __future__ import annotations

import re

_UNITS = (
    r"kg|g|gr|l|ltr|ml|cl|lb|lbs|oz|fl\.? ?oz|m|m²|m2|count|ct|load|wash|sheet|roll|tablet"
    r"|capsule|serving|day|night|person|pack|bottle|can|box|pair|meter|metre|litre|liter|kilo"
    r"|litro|litros|quilo|kilogramm|kilogram|κιλό|λίτρο|кг|л"
)
# "Per one item": the price itself on a product sold singly (eBay's "US $249.99/ea"), a unit
# price on a multipack; weak evidence either way, so a penalty rather than a verdict.
_ITEMS = r"ea|each|unit|item|stück|stk|st|pc|pcs|piece|pieces|pièce|stuk|styck|szt"
PER_ITEM_RE = re.compile(
    rf"^\W{{0,3}}(?:(?:/|per |pro |par |je )\s*(?:1\s*)?(?:{_ITEMS})\b|each\b|ea\.|apiece"
    r"|la pièce|pro stück|je stück|per stuk)",
    re.I,
)
_PERIODS = (
    r"mo|mth|month|months|monat|mois|mes|mês|mese|mån|månad|md|mnd|kk|mies|yr|year|week|wk"
    r"|мес|měs|ay"
)
_NOT_A_PRICE_AFTER = [
    ("unit price", rf"^\W{{0,3}}(?:/|per |pro |par |je )\s*(?:\d+\s*)?(?:{_UNITS})\b"),
    (
        "instalment",
        rf"^\W{{0,3}}(?:/\s*(?:{_PERIODS})\b|per (?:{_PERIODS})|a month|monthly|mtl\.|monatlich"
        r"|pro monat|im monat|par mois|al mes|al mese|per maand|mensuel|x \d+|for \d+ months"
        r"|\w* ?(?:with|mit|avec|con) (?:affirm|klarna|afterpay|sezzle|zip|paypal))",
    ),
    ("saving", r"^\W{0,3}(?:off(?![a-z])|less\b)"),  # "$50 off", "400円OFFクーポン"
    (  # "Best Price: ₹1214 with coupon"
        "coupon price",
        r"^\W{0,3}(?:with (?:the )?(?:coupon|code|voucher)|after coupon|mit (?:gutschein|code)"
        r"|avec (?:le )?code|con (?:el )?cup[oó]n)",
    ),
    (  # "Pay $124.00 after $25 OFF ... upon opening a new card", "$89.99 after rebate"
        "conditional price",
        r"^\W{0,3}after\b[^!?]{0,25}?\b(?:off|rebates?|coupon)\b",
    ),
    (  # "₹54,990 with HDFC Bank Credit Card EMI": an effective price for one bank's cards
        "card-only price",
        r"^\W{0,3}(?:with|using) (?:\w+ ){0,2}(?:bank|credit card|debit card)s?\b",
    ),
    ("upfront payment", r"^\W{0,3}(?:upfront|up front|initial payment|anzahlung)\b"),
    ("percentage", r"^\s*%"),
    (
        "reward",  # "Get $1.80 in CT Money", "Earn $10 in Kohl's Cash": a store currency
        r"^\W{0,3}(?:points?\b|pts\b|pt\b|ポイント|bonus|cash ?back|back\b|in rewards"
        r"|store credit|gutschrift|de cagnotte"
        r"|in (?:[\w'’&.-]+ ){0,3}(?:money|cash|bucks|dollars|rewards?|credit)\b)",
    ),
    # "1 € = 7,53450 kn" (the fixed rate shown during a changeover to the euro)
    ("exchange rate", r"^\s*="),
    # "500 TL üzeri ücretsiz kargo" (Turkish: "over 500 TL, free shipping")
    # "Free with RedCard or $35 orders"
    (
        "threshold",
        r"^\W{0,3}(?:以上|or more\b|and (?:up|above)\b|(?:ve )?üzeri|orders\b|\+\s*[^\W\d])",
    ),
    (
        "shipping",  # "$15.00 Expedited Shipping", "4,95 € Versand", "滿 HK$500 免運費"
        r"^\W{0,3}(?:[^\W\d]+ )?(?:shipping|delivery|versand|postage|livraison|envío"
        r"|frais de port|kargo|免運|免运|運費|运费|包郵|包邮)",
    ),
]
_NOT_A_PRICE_BEFORE = [
    (  # "Bank Offer 10% off on HDFC Credit Card, up to ₹1,500": the cap of a discount
        "saving",
        r"(?:%\s?off|\boff\b|discount|cashback|bank offer)[^.!]{0,50}\bup to\W*$",
    ),
    (
        "unit price",
        r"(?:grundpreis|unit price|price per|prix au \w+|per 100 ?\w+"
        r"|\b\d*\s?(?:kg|g|l|ml|cl|lb|oz|m|m²|stück|st)\s?=)\W*$",
    ),
    (
        "instalment",
        r"(?:payments? of|instal+ments? of|or \d+ (?:interest-free )?(?:payments|"
        r"instal+ments)|klarna|afterpay|affirm|financ\w*|raten\w*|\d+ ?x|\d+ mal|рассрочк\w*"
        r"|splátk\w*|taksit\w*|\d+ rat\w*|\d+ ?×|cuotas? de|mtl\.|monatl\w*|mensualités?"
        r"|gesamtbetrag"
        r"|total amount payable|total cost|importe total adeudado|montant total dû)\W*"
        r"(?:from\W*|от\W*|od\W*)?$",
    ),
    (
        "saving",
        r"(?:\bsave|you save|saving|sie sparen|ersparnis|du sparst|économisez|ahorra|risparmi"
        r"|bespaar|discount|rabatt|экономия|выгода|ušetříte|oszczędzasz|tasarruf|megtakarítás"
        r"|ušetríte|uštedite|ušteda|prihranite|prihranek|economisești|economisiți|ietaupi"
        r"|\bspar(?:a|er|e)?|現折|现折|折抵|jimat|hemat)\W*"
        r"(?:(?:of|an? extra|an additional|von|de|di)\W*)?"
        r"(?:up to\W*|bis zu\W*)?$",
    ),
    (
        "shipping",
        r"(?:shipping|delivery|versand|livraison|envío|envio|spedizione|verzend|postage|frakt"
        r"|dostava|doprava|dostawa|livrare|piegāde|portes|kargo|運費|运费|достав\w*"
        r"|giao hàng|vận chuyển|đơn (?:hàng )?từ"  # "giao hàng cho đơn từ 500.000₫"
        r"|frete|despacho|orders? (?:over|above|of)|spend|bestellwert|free returns|送料|배송비)"
        r"[^.!]{0,25}$",
    ),
    (
        "reward",
        r"(?:gift card|reward|points|cash ?back|credit(?: of)?|trade[- ]in|exchange offer|pfand"
        r"|deposit|적립금|적립|\bearn)\W*(?:up to\W*|최대\W*)?$",
    ),
    ("add-on", r"\+\s*$"),
    (  # "Product protection plan 2 years - $12.99", "Care & Repair - €6.99": sold beside it
        "add-on",
        r"(?:protection plan|warranty|extended guarantee|care plan|care ?& ?repair"
        r"|\d+[- ]years? (?:protection|coverage)"  # "2-Year Protection $59.99"
        r"|garantieverlängerung|extension de garantie)\b[^.!$£€]{0,20}$",
    ),
    (
        "coupon price",
        r"(?:クーポン利用で|クーポン適用で|with (?:the )?(?:coupon|code|voucher)"
        r"|mit (?:gutschein|code)|avec (?:le )?code|con (?:el )?cup[oó]n|kuponla|쿠폰 적용"
        r"|coupon price|券)\W*$",  # "新人券 ¥10": a new customer's voucher
    ),
    (  # Turkish shops' price for paying by bank transfer ("Havale/EFT ile 1.187,41 TL")
        "payment-method price",
        r"(?:havale|eft)(?:/eft)? ile\W*$",
    ),
    # Quantity tiers ("3 or more £90.00") and spending thresholds ("gifts under £100",
    # "free delivery over £40"): amounts the sentence compares against.
    ("quantity tier", r"\b\d+ (?:or more|and more|oder mehr|ou plus|o más|of meer|ali več)\W*$"),
    # The same tier written "from 5 (pieces)": a "from" with a bare count before the amount
    # ("ab 5 | 11,50 €" in Shopware's block-price table), never a "from" price.
    (
        "quantity tier",
        r"\b(?:ab|from|od|vanaf|à partir de|a partir de|desde|fra|från)\s+\d+\s*"
        r"(?:stk\.?|stück|st\.?|pcs\.?|pieces|units?|items?|ks|szt\.?|x)?\W*$",
    ),
    # A case or multipack offered beside the single item ("Caixa de 6 garrafas: 188,46 €",
    # "Case of 12:", "6er-Karton"): the page's own price is the single item's.
    (
        "multipack",
        r"(?:\b(?:case|pack|box|crate|caixa|caja|kiste|karton|colis|carton|doos|låda)"
        r"(?: (?:of|de|von|da|met|mit))? \d+\b[^\d:]{0,20}|\b\d+er[- ]?(?:pack|karton|kiste))"
        r"\W*$",
    ),
    (
        "threshold",
        r"\b(?:under|below|less than|over|above|more than|unter|über|moins de|plus de|menos de"
        r"|más de|mayor(?:es)? (?:a|de)|superior(?:es)? a|por compras de|sotto|oltre|onder|boven"
        r"|poniżej|powyżej|acima de|abaixo de|iznad|nad|peste|άνω των|πάνω από"
        r"|virs)\W*$"
        r"|[滿满]\s*$",  # "滿$1,500現折$150": NT$150 off a basket over NT$1,500
    ),  # "(+£20.00)" for a bigger size, gift wrap "+ $4.95"
    ("exchange rate", r"=\s*$"),
    ("saving", r"(?:^|[\s(])[-−]$"),  # "-$50", "−20 €" (a range's "€10 – €20" has a space)
    (
        # A fee or tax inside the price: Swiss "inkl. vRG CHF 2.50", "TAR incl. CHF 0.46",
        # French éco-participation, "davon MwSt.", "VAT: £16.67" (the label of the price
        # itself has no colon).
        "fee or tax",
        r"(?:\bvrg|\btar|eco-?part\w*|éco-?participation|ecotasa|recycling\w*|weee|deee|davon"
        r"|of which|dont|\bincl|\binkl)\W*$|\b(?:vat|mwst\.?|tva|iva|tax|ust\.?)\s*:\s*$",
    ),
]
NOT_AFTER_RE = [(why, re.compile(p, re.I)) for why, p in _NOT_A_PRICE_AFTER]
NOT_BEFORE_RE = [(why, re.compile(p, re.I)) for why, p in _NOT_A_PRICE_BEFORE]


def not_a_price(before: str, after: str) -> str | None:
    """Why the amount between `before` and `after` is not the product price, or None."""
    for why, pattern in NOT_AFTER_RE:
        if pattern.search(after[:40]):
            return why
    for why, pattern in NOT_BEFORE_RE:
        if pattern.search(before[-60:]):
            return why
    return None
