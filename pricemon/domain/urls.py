"""Product URLs: validate them and bring them to one canonical form.

Two spellings of the same product page must become the same string, because the product
table's `url` is unique: that is how "already monitored" is detected. `normalise_url`
therefore lowercases the scheme and host, drops default ports and the fragment, and removes
tracking parameters that say how the visitor arrived, not which page it is. Every other
query parameter is kept, in its original order and spelling (`?id=1&color=red` often *is*
the product).

Tracking parameters removed (matched case-insensitively on the decoded name):

- any name starting with `utm_` (Google Analytics campaign tags) or `pk_` (Matomo);
- click ids: `gclid`, `gclsrc`, `dclid`, `gbraid`, `wbraid` (Google Ads), `fbclid`
  (Meta), `msclkid` (Microsoft Ads), `yclid` (Yandex), `twclid` (X), `ttclid` (TikTok),
  `li_fat_id` (LinkedIn), `igshid` (Instagram), `srsltid` (Google Shopping);
- analytics cookies passed in URLs: `_ga`, `_gl`, `_hsenc`, `_hsmi` (HubSpot);
- mailing tools: `mc_cid`, `mc_eid` (Mailchimp), `mkt_tok` (Marketo), `vero_id`,
  `oly_anon_id`, `oly_enc_id`;
- referrers: `ref`, `ref_`, `ref_src`, `referrer`.

Pure: no I/O, no settings. Whether a host is private or allowed is the fetcher's business.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

from pricemon.errors import InputError

MAX_URL_LENGTH = 2048  # the width of product.url

TRACKING_PREFIXES = ("utm_", "pk_")
TRACKING_PARAMS = frozenset(
    {
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "srsltid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        "ref",
        "ref_",
        "ref_src",
        "referrer",
    }
)

DEFAULT_PORTS = {"http": 80, "https": 443}
_EXAMPLE_HINT = "give a full product page address, e.g. https://shop.example/item/123"
# Letters, digits, hyphens and dots (after IDNA encoding); underscores occur in real hosts.
_HOST_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")
# Characters left as they are in a path: RFC 3986 pchar plus "/" and existing escapes.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_USERINFO_RE = re.compile(r"//[^/?#@]*@")


def is_tracking_param(name: str) -> bool:
    """True when the query parameter `name` only records how the visitor arrived."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _invalid(text: str, why: str, hint: str = _EXAMPLE_HINT) -> InputError:
    shown = _USERINFO_RE.sub("//***@", text)  # never echo a password
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return InputError(f"invalid URL {shown!r}: {why}", hint=hint)


def _scheme(text: str, scheme: str) -> str:
    if not scheme or "://" not in text:
        # "not-a-url", "shop.example/item", "localhost:8000/x" (urlsplit reads "localhost"
        # as a scheme there), "javascript:...": none of them names a page we can fetch.
        raise _invalid(text, "it does not start with http:// or https://")
    if scheme not in DEFAULT_PORTS:
        raise _invalid(
            text,
            f"only http and https pages can be monitored, not {scheme}://",
            hint="copy the address of the product page from your browser",
        )
    return scheme


def _host(text: str, hostname: str | None) -> str:
    if not hostname:
        raise _invalid(text, "it has no host name")
    host = hostname.rstrip(".")
    if ":" in host:  # IPv6 literal; urlsplit already stripped the brackets
        if not re.fullmatch(r"[0-9a-f:.]+", host):
            raise _invalid(text, f"{host!r} is not a valid IPv6 address")
        return f"[{host}]"
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _invalid(text, f"{hostname!r} is not a valid host name") from None
    if not _HOST_RE.match(host):
        raise _invalid(text, f"{hostname!r} is not a valid host name")
    return host


def _port(text: str, scheme: str, port_text: str) -> str:
    if not port_text:
        return ""
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _invalid(text, f"port {port_text!r} is not a number from 1 to 65535")
    port = int(port_text)
    return "" if port == DEFAULT_PORTS[scheme] else f":{port}"


def _query(query: str) -> str:
    kept = []
    for part in query.split("&"):
        if not part:
            continue
        name = unquote_plus(part.split("=", 1)[0])
        if not is_tracking_param(name):
            kept.append(quote(part, safe=_QUERY_SAFE))
    return "&".join(kept)


def normalise_url(text: str) -> str:
    """The canonical form of the product URL `text`, or InputError saying what is wrong.

    http and https only; no user name or password; scheme and host lowercased (host IDNA
    encoded); default ports, the fragment and tracking parameters (see the module
    docstring) removed; an empty path becomes "/"; spaces and non-ASCII characters in the
    path and query are percent-encoded. Other parameters keep their order and spelling.
    """
    stripped = text.strip()
    if not stripped:
        raise _invalid(text, "it is empty")
    try:
        parts = urlsplit(stripped)
        port_text = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
        hostname = parts.hostname
    except ValueError:  # "http://[::1" (unbalanced bracket) and other unparseable netlocs
        raise _invalid(stripped, "its host is not a valid name or IPv6 address") from None
    scheme = _scheme(stripped, parts.scheme.lower())
    if "@" in parts.netloc:
        raise _invalid(
            stripped,
            "it contains a user name or password",
            hint="remove the 'user:password@' part; pricemon cannot log in to shops",
        )
    netloc = _host(stripped, hostname) + _port(stripped, scheme, port_text)
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    result = urlunsplit((scheme, netloc, path, _query(parts.query), ""))
    if len(result) > MAX_URL_LENGTH:
        raise _invalid(stripped, f"it is longer than {MAX_URL_LENGTH} characters")
    return result
