"""What a fetch returns, whichever tier fetched it, and how its bytes become text."""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FetchedPage:
    """One fetched HTML document. `url` is what was asked for, `final_url` where it ended up
    after redirects; `headers` have lower-case names."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    html: str
    elapsed_ms: float
    tier: str = "http"  # "http" or "browser"
    notes: list[str] = field(default_factory=list)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
# The WHATWG Encoding Standard decodes these labels as windows-1252, as browsers do.
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _usable(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_encoding(body: bytes, content_type: str | None) -> str:
    """The encoding to decode `body` with: a BOM, else the header's charset, else a
    `<meta charset>` in the first 4 KB, else UTF-8 (windows-1252 if it is not valid UTF-8)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    header = _HEADER_CHARSET.search(content_type or "")
    found = _usable(header.group(1) if header else None)
    if found:
        return found
    meta = _META_CHARSET.search(body[:4096])
    found = _usable(meta.group(1).decode("ascii", "ignore") if meta else None)
    if found:
        return found
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_html(body: bytes, content_type: str | None) -> str:
    """`body` as text (see `sniff_encoding`); undecodable bytes become U+FFFD."""
    return body.decode(sniff_encoding(body, content_type), errors="replace")


# A saved page is read whole; this bounds what a gzip bomb could make of a small file.
MAX_SAVED_PAGE_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def decode_saved_page(data: bytes) -> str:
    """The text of a page saved to disk, gzip-compressed or not.

    Unlike a response there is no header to trust, and "Save page as" writes UTF-8 while
    keeping the page's old `<meta charset>`: bytes that are valid UTF-8 are read as UTF-8,
    other bytes by their BOM or `<meta charset>` (see `sniff_encoding`).
    """
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data)
    try:
        return data.decode("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    except UnicodeDecodeError:
        return decode_html(data, None)


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = inflater.decompress(data, MAX_SAVED_PAGE_BYTES)
    except zlib.error as exc:
        raise ValueError(f"not a readable gzip file ({exc})") from exc
    if inflater.unconsumed_tail:
        raise ValueError(f"larger than {MAX_SAVED_PAGE_BYTES // 2**20} MB once decompressed")
    if not inflater.eof:
        raise ValueError("the gzip data ends early (truncated file?)")
    return out
