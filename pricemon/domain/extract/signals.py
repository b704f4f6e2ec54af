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
_BLOCK_MARKUP_RE = re.compile(
    r"cf-browser-verification|cf_chl_opt|challenge-platform|cf-challenge|cf-turnstile"
    r"|/errors/validatecaptcha|enter the characters you see below|px-captcha|_pxcaptcha"
    r"|press &amp; hold|press & hold|captcha-delivery\.com|geo\.captcha-delivery|datadome"
    r"|_incapsula_resource|incident id|errors\.edgesuite\.net|reference&#32;&#35;"
    r"|you don't have permission to access|g-recaptcha|h-captcha|hcaptcha\.com"
    r"|awswaf|aws-waf-token|verify you are a human|unusual traffic",
    re.I,
)
_SHELL_SELECTORS = ("#root", "#__next", "#app", "#__nuxt", "[ng-app]", "app-root", "#svelte")
_NOSCRIPT_RE = re.compile(r"enable javascript|javascript (?:is )?(?:required|disabled)", re.I)
_SMALL_BODY = 600  # characters of visible text below which a page is not a product page


def looks_blocked(page: Page, html: str, *, has_product: bool) -> bool:
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
    return bool(_BLOCK_MARKUP_RE.search(html[:200_000])) and page.body_text_length() < 3000


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
