"""Is this response a bot wall? Decided from status, headers and the first part of the body.

A block page must never be read as "no price" or "out of stock": the check is reported as
blocked (transient), and the checker may try the browser tier instead. The markers below are
the ones the big bot-protection vendors put on their challenge pages; each is specific enough
not to appear on an ordinary product page (a login form's reCAPTCHA, for instance, is not a
marker on its own).
"""

from __future__ import annotations

from collections.abc import Mapping

# Status codes that bot walls answer with. On these, any marker below counts.
BLOCK_STATUSES = frozenset({403, 429, 503})

# Markers that only challenge pages carry: they count whatever the status is (some walls,
# Amazon's robot check or DataDome's interstitial among them, answer 200).
_STRONG_MARKERS: tuple[tuple[str, str], ...] = (
    ("window._cf_chl_opt", "Cloudflare challenge"),
    ("cf-browser-verification", "Cloudflare challenge"),
    ("captcha-delivery.com", "DataDome CAPTCHA"),
    ("_pxcaptcha", "PerimeterX CAPTCHA"),
    ('id="px-captcha"', "PerimeterX CAPTCHA"),
    ("/errors/validatecaptcha", "Amazon robot check"),
    ("sec-if-cpt-container", "Akamai bot challenge"),
)

# Markers that count only with a blocking status (they are too generic on a 200 page).
_STATUS_MARKERS: tuple[tuple[str, str], ...] = (
    ("just a moment...", "Cloudflare challenge"),
    ("attention required! | cloudflare", "Cloudflare block"),
    ("cf-error-details", "Cloudflare block"),
    ("access denied", "access denied (Akamai or similar)"),
    ("reference&#32;&#35;", "Akamai block"),
    ("perimeterx", "PerimeterX block"),
    ("datadome", "DataDome block"),
    ("incapsula incident", "Imperva/Incapsula block"),
    ("_incapsula_resource", "Imperva/Incapsula challenge"),
    ("pardon our interruption", "Imperva/Distil block"),
    ("are you a robot", "robot check"),
    ("verify you are a human", "human verification"),
    ("unusual traffic", "unusual traffic block"),
    ("g-recaptcha", "CAPTCHA"),
    ("h-captcha", "CAPTCHA"),
    ("hcaptcha.com", "CAPTCHA"),
    ("captcha", "CAPTCHA"),
)

# Bot walls are small: a strong marker on a 200 page counts only below this size, and the
# scan stops there (a big page that mentions one is more likely a real page).
_SCAN_CHARS = 150_000


def detect_block(status: int, headers: Mapping[str, str], html: str) -> str | None:
    """A short reason ("Cloudflare challenge", ...) when the response is a bot wall, else None.

    `headers` is case-insensitive in practice (httpx.Headers); plain dicts should use
    lower-case names.
    """
    mitigated = headers.get("cf-mitigated") or headers.get("Cf-Mitigated")
    if mitigated:
        return f"Cloudflare {mitigated.strip().lower()}"
    text = html[:_SCAN_CHARS].lower()
    if status in BLOCK_STATUSES or len(html) < _SCAN_CHARS:
        for marker, reason in _STRONG_MARKERS:
            if marker in text:
                return reason
    if status not in BLOCK_STATUSES:
        return None
    for marker, reason in _STATUS_MARKERS:
        if marker in text:
            return reason
    if status == 429:
        return "rate limited (429 Too Many Requests)"
    return None
