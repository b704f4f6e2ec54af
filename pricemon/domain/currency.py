"""Currency symbols and codes: from what a page shows (`$`, `kr`, `¥`, `CHF`) to ISO 4217.

Many symbols are shared (`$` by a dozen dollars and pesos, `kr` by three Nordic crowns, `¥` by
the yen and the yuan), so the resolution takes hints: a currency the page declares elsewhere,
the page's language (`<html lang="en-AU">`) and its domain (`.com.au`). The ISO code list and
the number of minor digits per currency come from price-parser's tables, which are well kept;
its symbol table is not used for resolution because it maps one-letter tokens (`R`, `P`, `D`)
that occur in ordinary text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from price_parser._currencies import CURRENCIES, CURRENCY_CODES

ISO_CODES: frozenset[str] = frozenset(CURRENCY_CODES) | {"RMB"}

# Symbols that name exactly one currency. Longest first when matching, so "US$" beats "$".
UNAMBIGUOUS_SYMBOLS: dict[str, str] = {
    "円": "JPY",
    "元": "CNY",
    "US$": "USD",
    "U$S": "USD",
    "USD$": "USD",
    "AU$": "AUD",
    "A$": "AUD",
    "CA$": "CAD",
    "C$": "CAD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "SG$": "SGD",
    "MX$": "MXN",
    "NT$": "TWD",
    "R$": "BRL",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "₩": "KRW",
    "원": "KRW",
    "CN¥": "CNY",
    "JP¥": "JPY",
    "zł": "PLN",
    "Kč": "CZK",
    "Ft": "HUF",
    "lei": "RON",
    "Lei": "RON",
    "лв.": "BGN",
    "лв": "BGN",
    "₽": "RUB",
    "руб.": "RUB",
    "руб": "RUB",
    "₴": "UAH",
    "грн": "UAH",
    "₺": "TRY",
    "TL": "TRY",
    "₪": "ILS",
    "฿": "THB",
    "₫": "VND",
    "₱": "PHP",
    "₦": "NGN",
    "RM": "MYR",
    "Rp": "IDR",
    "CHF": "CHF",
    "SFr.": "CHF",
    "Fr.": "CHF",
    "kn": "HRK",
    "Kr.": "DKK",
    "Dkr": "DKK",
    "Skr": "SEK",
    "Nkr": "NOK",
    "ISK": "ISK",
    "AED": "AED",
    "د.إ": "AED",
    "SAR": "SAR",
    "ر.س": "SAR",
    "S/.": "PEN",
    "S/": "PEN",
    "₡": "CRC",
    "₲": "PYG",
    "₸": "KZT",
    "₾": "GEL",
    "৳": "BDT",
    "KSh": "KES",
    "E£": "EGP",
    # Egyptian shops write the pound as a word ("12,999 جنيه") or abbreviated ("ج.م").
    "جنيه": "EGP",
    "ج.م": "EGP",
}

DOLLAR_COUNTRIES: dict[str, str] = {
    "us": "USD",
    "au": "AUD",
    "ca": "CAD",
    "nz": "NZD",
    "sg": "SGD",
    "hk": "HKD",
    "mx": "MXN",
    "ar": "ARS",
    "cl": "CLP",
    "co": "COP",
    "tw": "TWD",
    "uy": "UYU",
}
CROWN_COUNTRIES: dict[str, str] = {"se": "SEK", "no": "NOK", "dk": "DKK", "is": "ISK"}
# "Rs" is the rupee of India, Pakistan, Sri Lanka, Nepal, Mauritius and the Seychelles.
RUPEE_COUNTRIES: dict[str, str] = {
    "in": "INR",
    "pk": "PKR",
    "lk": "LKR",
    "np": "NPR",
    "mu": "MUR",
    "sc": "SCR",
}
CROWN_LANGUAGES: dict[str, str] = {"sv": "SEK", "nb": "NOK", "nn": "NOK", "no": "NOK", "da": "DKK"}

# A country code top-level domain says which currency a shop most likely sells in. Only used
# when neither the text nor the page names one.
COUNTRY_CURRENCIES: dict[str, str] = {
    **DOLLAR_COUNTRIES,
    **CROWN_COUNTRIES,
    **RUPEE_COUNTRIES,
    "uk": "GBP",
    "gb": "GBP",
    "ie": "EUR",
    "de": "EUR",
    "at": "EUR",
    "fr": "EUR",
    "es": "EUR",
    "it": "EUR",
    "nl": "EUR",
    "be": "EUR",
    "pt": "EUR",
    "fi": "EUR",
    "gr": "EUR",
    "sk": "EUR",
    "si": "EUR",
    "ee": "EUR",
    "lv": "EUR",
    "lt": "EUR",
    "lu": "EUR",
    "hr": "EUR",
    "ch": "CHF",
    "li": "CHF",
    "pl": "PLN",
    "cz": "CZK",
    "hu": "HUF",
    "ro": "RON",
    "bg": "BGN",
    "jp": "JPY",
    "cn": "CNY",
    "kr": "KRW",
    "in": "INR",
    "br": "BRL",
    "za": "ZAR",
    "tr": "TRY",
    "il": "ILS",
    "th": "THB",
    "vn": "VND",
    "ph": "PHP",
    "my": "MYR",
    "id": "IDR",
    "ae": "AED",
    "sa": "SAR",
    "ru": "RUB",
    "by": "BYN",
    "ua": "UAH",
    "kz": "KZT",
    "bd": "BDT",
    "ke": "KES",
    "eg": "EGP",
    "ng": "NGN",
    "pe": "PEN",
    "qa": "QAR",
    "kw": "KWD",
    "mt": "EUR",
    "cy": "EUR",
    "rs": "RSD",
    "ba": "BAM",
    "mk": "MKD",
    "al": "ALL",
    "md": "MDL",
    "ge": "GEL",
    "am": "AMD",
    "az": "AZN",
    "uz": "UZS",
    "mn": "MNT",
    "jo": "JOD",
    "om": "OMR",
    "bh": "BHD",
    "tn": "TND",
    "dz": "DZD",
    "ma": "MAD",
    "gh": "GHS",
    "et": "ETB",
    "tz": "TZS",
    "ug": "UGX",
    "py": "PYG",
    "bo": "BOB",
    "ec": "USD",
    "cr": "CRC",
    "do": "DOP",
    "jm": "JMD",
}

# 円, 元 and 원 only count right after a number: 元 is also part of words (還元, "refund").
_AFTER_NUMBER_ONLY = {"円", "元", "원"}
_ALL_SYMBOLS = sorted(
    [
        *(s for s in UNAMBIGUOUS_SYMBOLS if s not in _AFTER_NUMBER_ONLY),
        *("$", "¥", "￥", "kr", "R", "Rs.", "Rs", "KM"),
    ],
    key=len,
    reverse=True,
)
_SYMBOL_PATTERN = "|".join(re.escape(s) for s in _ALL_SYMBOLS)
# Letters-only symbols must stand alone ("kr" not in "kraft", "TL" not in "TLC").
_FIRST_CHARS = "".join(sorted({s[0] for s in _ALL_SYMBOLS} | set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
_SINGLE_CHAR_SYMBOLS = "$€£¥￥₹₩₽₴₺₪฿₫₱₦₨"
# Latin letters, accented ones included: "R" is the rand alone, not the start of "Réf." or
# "Rýchle" (letters of other scripts are left out: Arabic symbols abut Arabic words). A
# hyphen and a digit after letters make a model number ("TL-540"), not Turkish lira; so does
# a hyphen or slash before them ("NB-A14-R5" is a product code, not five rand).
_LATIN = "A-Za-z\u00c0-\u024f"
# The lookahead lets the engine skip, with one test, the positions where no symbol can start.
CURRENCY_TOKEN_RE = re.compile(
    rf"(?=[{re.escape(_FIRST_CHARS + _SINGLE_CHAR_SYMBOLS)}])"
    rf"(?:(?<![{_LATIN}])(?<![{_LATIN}\d][-/])"
    rf"(?:[A-Z]{{3}}(?![{_LATIN}])|{_SYMBOL_PATTERN})(?![{_LATIN}]|-\d)"
    rf"|[{_SINGLE_CHAR_SYMBOLS}])"
    r"|(?<=\d)\s?[円元원]"
)


# Country domains sold and used worldwide as generic ones (".co" for company, ".io", ".ai"...):
# they say nothing about the shop's currency unless under a second level ("com.co").
GENERIC_CCTLDS = frozenset({"co", "io", "ai", "me", "tv", "ly", "to", "fm", "gg", "sh", "ws", "cc"})
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "ac"})


def minor_digits(currency: str | None) -> int:
    """How many decimals a currency's retail prices use (JPY 0, EUR 2, KWD 3); 2 if unknown."""
    if currency and currency in CURRENCIES:
        return int(CURRENCIES[currency].get("d", 2))
    return 2


def region_of(locale_hint: str | None) -> str | None:
    """The region of a locale or the country of a domain: "en-AU" -> "au", "x.com.au" -> "au"."""
    if not locale_hint:
        return None
    text = locale_hint.strip().lower().replace("_", "-")
    if "." in text or "/" in text:
        return country_of_url(text)
    parts = text.split("-")
    return parts[1] if len(parts) > 1 and len(parts[1]) == 2 else None


def language_of(locale_hint: str | None) -> str | None:
    """The language part of a locale: "de-CH" -> "de"; None for a domain or nothing."""
    if not locale_hint or "." in locale_hint:
        return None
    return locale_hint.strip().lower().replace("_", "-").split("-")[0] or None


def country_of_url(url: str) -> str | None:
    """The two-letter country of a URL's top-level domain (`shop.com.au` -> "au"), or None."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    labels = host.split(".")
    tld = labels[-1]
    if len(tld) != 2 or not tld.isalpha():
        return None
    if tld in GENERIC_CCTLDS and not (len(labels) > 2 and labels[-2] in _SECOND_LEVEL):
        return None  # "shop.co" is a brand, "shop.com.co" is Colombian
    return tld


def resolve_symbol(
    symbol: str, *, currency_hint: str | None = None, locale_hint: str | None = None
) -> str | None:
    """Turn a currency symbol or code as shown on a page into an ISO 4217 code.

    `currency_hint` is a currency the page declares elsewhere (it settles a shared symbol when
    it is one of the symbol's currencies); `locale_hint` is a locale ("en-AU") or a domain or
    URL ("shop.com.au"). A plain `$` without hints is USD, `kr` SEK, `¥` JPY.
    """
    symbol = symbol.strip()
    if symbol.upper() in ISO_CODES and len(symbol) == 3 and symbol.isupper():
        return "CNY" if symbol == "RMB" else symbol
    if symbol in UNAMBIGUOUS_SYMBOLS:
        return UNAMBIGUOUS_SYMBOLS[symbol]
    hint = currency_hint.upper() if currency_hint else None
    region = region_of(locale_hint)
    language = language_of(locale_hint)
    if symbol == "$":
        if hint and hint in set(DOLLAR_COUNTRIES.values()):
            return hint
        return DOLLAR_COUNTRIES.get(region or "", "USD")
    if symbol in ("kr", "kr."):
        if hint in CROWN_COUNTRIES.values():
            return hint
        return CROWN_COUNTRIES.get(region or "") or CROWN_LANGUAGES.get(language or "", "SEK")
    if symbol in ("Rs.", "Rs", "₨"):
        if hint in RUPEE_COUNTRIES.values():
            return hint
        return RUPEE_COUNTRIES.get(region or "", "INR")
    if symbol == "R":  # the rand; a bare "R" is too common to trust without a hint
        return "ZAR" if hint == "ZAR" or region == "za" else None
    if symbol == "KM":  # the Bosnian convertible mark, elsewhere kilometres
        return "BAM" if hint == "BAM" or region == "ba" else None
    if symbol in ("¥", "￥"):
        if hint in ("JPY", "CNY"):
            return hint
        return "CNY" if region == "cn" or language == "zh" else "JPY"
    return None


def currency_for_country(country: str | None) -> str | None:
    """The usual currency of a two-letter country code, or None when unknown."""
    return COUNTRY_CURRENCIES.get(country or "")
