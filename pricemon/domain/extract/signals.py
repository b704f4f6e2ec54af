"""Pages that are not the product page: bot walls and JavaScript app shells.

A bot wall must never be read as "no price" or "out of stock"; an app shell tells the caller
that a browser may find what the static HTML does not have. Both are judged from content only
(the fetch layer also looks at status codes).
"""

from __future__ import annotations

import re

from pricemon.domain.extract.page import Page, clean_text

# Markers of challenge pages from the vendors shops use (Cloudflare, Akamai, PerimeterX/HUMAN,
# DataDome, Imperva/Incapsula, AWS WAF, Amazon's own robot check, generic CAPTCHAs).
_BLOCK_TITLE_RE = re.compile(
    r"^(?:just a moment|attention required|access denied|please verify you are a human"
    r"|are you a robot|robot check|pardon our interruption|security check|verify you are human"
    r"|one more step|checking your browser|request unsuccessful|403 forbidden|captcha"
    r"|human verification|bot verification|access to this page has been denied)",
    re.I,
)
# Markers only challenge pages carry. Cloudflare injects its `challenge-platform` script and
# DataDome its tag into ordinary pages too, and shops put reCAPTCHA on login and review
# forms, so those only count on a page with almost no text and no product heading.
_CHALLENGE_MARKERS = (
    "cf_chl_opt", "cf-browser-verification", "challenge-error-text", "cf-challenge",
    "/errors/validatecaptcha", "enter the characters you see below", "px-captcha",
    "_pxcaptcha", "captcha-delivery.com", "_incapsula_resource", "errors.edgesuite.net",
    "you don't have permission to access", "awswaf", "aws-waf-token",
)  # fmt: skip
_WEAK_MARKERS = (
    "challenge-platform", "cf-turnstile", "press &amp; hold", "press & hold", "datadome",
    "g-recaptcha", "h-captcha", "hcaptcha.com", "verify you are a human", "unusual traffic",
)  # fmt: skip
_WEAK_BODY = 1000  # characters: a challenge page says little
_SHELL_SELECTORS = ("#root", "#__next", "#app", "#__nuxt", "[ng-app]", "app-root", "#svelte")
_NOSCRIPT_RE = re.compile(r"enable javascript|javascript (?:is )?(?:required|disabled)", re.I)
_SMALL_BODY = 150  # characters of visible text (no spaces) below which a page is a shell


def looks_blocked(page: Page, *, has_product: bool) -> bool:
    """True when the page is a bot wall, challenge or CAPTCHA rather than the product.

    Product pages carry CAPTCHA widgets too (login, reviews), so markup markers alone only
    count on pages that show no product data and little text; a challenge title counts alone.
    """
    title_node = page.tree.css_first("title")
    title = clean_text(title_node.text() if title_node is not None else "")
    if title and _BLOCK_TITLE_RE.search(title) and not has_product:
        return True
    if has_product:
        return False
    head = page.html[:200_000].lower()
    text_length = page.body_text_length()
    if text_length < 3000 and any(marker in head for marker in _CHALLENGE_MARKERS):
        return True
    weak = any(marker in head for marker in _WEAK_MARKERS)
    return weak and text_length < _WEAK_BODY and page.tree.css_first("h1") is None


def looks_script_rendered(page: Page) -> bool:
    """True when the static HTML seems to be an app shell that JavaScript fills in."""
    text_length = page.body_text_length()
    if text_length < _SMALL_BODY:
        return True
    for selector in _SHELL_SELECTORS:
        shell = page.tree.css_first(selector)
        if shell is not None and len(clean_text(shell.text(), limit=2000)) < 200:
            return True
    for node in page.tree.css("noscript"):
        if _NOSCRIPT_RE.search(node.text() or "") and text_length < 5000:
            return True
    return False
