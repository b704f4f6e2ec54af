"""Weighing structured data against the visible page, and saying why.

Structured data (JSON-LD, microdata, RDFa, meta, platform JSON) is what the shop tells
machines; the visible price is what it tells people. They usually agree. When they do not:

- a structured price that is also shown near the title is trusted most;
- a structured price shown only struck through is the old price: the visible sale price wins;
- a structured price shown only at a clearly weaker spot (an option in a size or grade
  chooser) than a different strong price near the title loses to that price;
- a structured price not shown anywhere loses to a strong visible price in the main product
  area (the JSON-LD is stale, a cached template or the price of another variant), and wins
  against weak visible prices (recommendations, prices without context);
- among several offers (sellers, variants) the one shown on the page wins, then the one whose
  URL is the page's variant, then the cheapest in stock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from pricemon.domain.extract.availability import visible_availability
from pricemon.domain.extract.heuristics import Visible, visible_candidates
from pricemon.domain.extract.layout import Layout, find_layout, title_text
from pricemon.domain.extract.meta import document_title, meta_findings, meta_image, meta_title
from pricemon.domain.extract.microdata import microdata_findings, rdfa_findings
from pricemon.domain.extract.page import Finding, Page
from pricemon.domain.extract.platforms import platform_findings
from pricemon.domain.extract.scripts import script_json_findings
from pricemon.domain.extract.signals import looks_blocked, looks_script_rendered
from pricemon.domain.extract.structured import json_ld_documents, jsonld_findings
from pricemon.domain.money import normalize_amount
from pricemon.domain.offer import Candidate, Extraction
from pricemon.models import Availability

STRONG_VISIBLE = 0.75  # a visible price this good, near the title, can overrule structured data
MIN_VISIBLE = 0.3  # below this a visible price is not reported at all
OUTRANKED = 0.3  # a shown structured price this far below the main visible one loses to it
MAX_VISIBLE_CANDIDATES = 25
MAX_AMOUNT = Decimal(10) ** 9  # above this a "price" is an id, a barcode or junk
_TITLE_SEPARATOR_RE = re.compile(r"\s[|–—]\s|\s-\s(?=[^-]*$)")
CONFIDENT = 0.6  # documented threshold: below it callers should try the browser or AI tiers


@dataclass
class _Scored:
    finding: Finding
    score: float
    seen: Visible | None
    reasons: list[str]


def decide(page: Page) -> Extraction:
    """Run every extractor on `page` and choose the price, with confidence and notes."""
    docs = json_ld_documents(page)
    structured = [
        *jsonld_findings(page, docs),
        *microdata_findings(page),
        *rdfa_findings(page),
        *meta_findings(page),
        *platform_findings(page),
    ]
    # The product's own name (JSON-LD, microdata, platform JSON) beats og:title, which often
    # carries the shop's name too; the page's h1 sits between them.
    product_name = next((f.title for f in structured if f.title and f.source != "meta"), None)
    known_title = product_name or meta_title(page)
    if not any(f.amount for f in structured):
        found = script_json_findings(page, known_title or document_title(page))
        structured.extend(found)
        product_name = product_name or next((f.title for f in found if f.title), None)
    layout = find_layout(page, known_title or document_title(page))
    visible = visible_candidates(page, layout)
    # A struck price is evidence for structured data (it is the old price), never the answer.
    live = [v for v in visible if v.score >= MIN_VISIBLE and not v.struck]
    scored = _score_structured(page, structured, visible)
    result = Extraction(price=None, currency=None)
    _choose(page, result, scored, live)
    result.candidates = _candidates(scored, visible)
    result.title = product_name or title_text(layout) or known_title or _document_name(page)
    result.image_url = next((f.image for f in structured if f.image), None) or meta_image(page)
    result.availability = _availability(page, result, scored, structured, layout)
    has_product = bool(scored) or (bool(live) and live[0].near_title)
    if looks_blocked(page, has_product=has_product):
        result.blocked = True
        result.price = result.currency = result.title = result.image_url = None
        result.method, result.confidence = "none", 0.0
        result.availability = Availability.UNKNOWN
        result.notes.append("the page is a bot wall or CAPTCHA, not the product page")
    elif result.confidence < CONFIDENT and looks_script_rendered(page):
        result.looks_script_rendered = True
        result.notes.append("the page looks like a JavaScript app shell")
    return result


def _score_structured(
    page: Page, structured: list[Finding], visible: list[Visible]
) -> list[_Scored]:
    variant = _variant_of(page.url)
    out = []
    for f in structured:
        if f.amount is None or f.kind not in ("price", "low") or not 0 < f.amount < MAX_AMOUNT:
            continue
        seen = _seen(f, visible)
        score, reasons = f.weight, [f"{f.source} {f.kind}"]
        if seen is not None and seen.struck:
            score -= 0.3
            reasons.append("shown struck through")
        elif seen is not None and seen.score >= MIN_VISIBLE:
            # The better placed the shown price, the more this offer is the page's offer.
            score += 0.05 + 0.1 * min(1.0, seen.score) + (0.05 if seen.near_title else 0.0)
            reasons.append("shown near the title" if seen.near_title else "shown on the page")
        if f.kind == "low":
            score -= 0.05
        if variant and f.url and variant in f.url:
            score += 0.1
            reasons.append("the page's variant")
        if f.availability == Availability.OUT_OF_STOCK:
            score -= 0.02
        out.append(_Scored(f, score, seen, reasons))
    out.sort(key=lambda s: (-s.score, s.finding.position, s.finding.amount))
    return out


def _seen(f: Finding, visible: list[Visible]) -> Visible | None:
    """The best visible candidate showing the same amount (currency permitting)."""
    for v in visible:  # best first
        same_currency = not f.currency or not v.currency or v.currency == f.currency
        if v.amount == f.amount and same_currency and v.score > -1.0:
            return v
    return None


def _choose(page: Page, result: Extraction, scored: list[_Scored], live: list[Visible]) -> None:
    top = live[0] if live else None
    best = scored[0] if scored else None
    if best is not None:
        seen = best.seen
        if seen is not None and not seen.struck and seen.score >= MIN_VISIBLE:
            if top is not None and (
                _outranks(top, seen, low=best.finding.kind == "low") or _net_of(top, seen)
            ):
                result.notes.append(
                    f"{best.finding.source} says {best.finding.amount}, shown only as a lesser "
                    f"price ({', '.join(seen.reasons)}); the main visible price is "
                    f"{top.amount}: taking the visible price"
                )
                return _take_visible(result, top, live, 0.75)
            conf = 0.95 if seen.near_title else 0.85
            return _take_structured(page, result, best, conf, None)
        if top is not None and _strong(top) and top.amount != best.finding.amount:
            why = "shown struck through" if seen is not None else "not shown on the page"
            result.notes.append(
                f"{best.finding.source} says {best.finding.amount} ({why}); the main visible "
                f"price is {top.amount}: taking the visible price"
            )
            return _take_visible(result, top, live, 0.8)
        note = None if top is None else f"{best.finding.source} price not confirmed on the page"
        conf = 0.75 if best.finding.weight >= 0.8 else 0.65
        return _take_structured(page, result, best, conf if top is None else conf - 0.05, note)
    if top is not None:
        _take_visible(result, top, live, None)


def _outranks(top: Visible, seen: Visible, *, low: bool = False) -> bool:
    """True when the structured price is shown, but only at a clearly weaker spot than a
    different, strong main price: the JSON-LD's lowPrice is the cheapest grade or size in a
    chooser, while the buy box shows the selected one's. A range's low end is only the
    cheapest of several offers, so any better placed main price outranks it."""
    margin = top.score - seen.score
    return (
        _strong(top) and top.amount != seen.amount and (margin > 0 if low else margin >= OUTRANKED)
    )


def _net_of(top: Visible, seen: Visible) -> bool:
    """True when the structured price is shown only as the price before tax ("(税抜
    ¥18,000)", "excl. VAT") beside a different, strong main price: EC-CUBE and B2B themes
    put the net amount in their meta tags while shoppers pay, and compare, the gross one."""
    return "excluding tax" in seen.reasons and _strong(top) and top.amount != seen.amount


def _strong(v: Visible) -> bool:
    return v.near_title and not v.struck and v.score >= STRONG_VISIBLE


def _take_structured(
    page: Page, result: Extraction, best: _Scored, confidence: float, note: str | None
) -> None:
    f = best.finding
    result.currency = f.currency or (best.seen.currency if best.seen else None)
    result.currency = result.currency or page.currency_hint
    result.price = normalize_amount(f.amount, result.currency) if f.amount else None
    result.method = f.source
    result.confidence = confidence
    if note:
        result.notes.append(note)


def _take_visible(
    result: Extraction, top: Visible, live: list[Visible], confidence: float | None
) -> None:
    result.price = normalize_amount(top.amount, top.currency)
    result.currency = top.currency
    result.method = "heuristic"
    if confidence is None:
        confidence = min(0.9, 0.35 + 0.5 * top.score)
        rival = next((v for v in live[1:] if v.amount != top.amount), None)
        if rival is not None and top.score - rival.score < 0.15:
            confidence *= 0.7
            result.notes.append(f"close call against {rival.amount} ({', '.join(rival.reasons)})")
    result.confidence = round(confidence, 2)


def _availability(
    page: Page,
    result: Extraction,
    scored: list[_Scored],
    structured: list[Finding],
    layout: Layout,
) -> Availability:
    if result.method != "heuristic" and scored and scored[0].finding.availability:
        chosen = scored[0].finding.availability
        if chosen == Availability.OUT_OF_STOCK and any(
            s.finding.availability == Availability.IN_STOCK
            and s.finding.source == scored[0].finding.source
            for s in scored
        ):
            # One offer per size or colour: the first one sold out, another can be bought.
            return Availability.IN_STOCK
        return chosen
    for f in structured:
        if f.availability is not None:
            return f.availability
    title_ids = layout.title.depth_of if layout.title is not None else {}
    return visible_availability(page, layout.main_area(), title_ids) or Availability.UNKNOWN


def _candidates(scored: list[_Scored], visible: list[Visible]) -> list[Candidate]:
    out = [
        Candidate(
            amount=s.finding.amount or Decimal(0),
            currency=s.finding.currency,
            source=s.finding.source,
            score=round(s.score, 3),
            context=s.finding.context or s.finding.kind,
            reasons=tuple(s.reasons),
        )
        for s in scored
    ]
    out.extend(
        Candidate(v.amount, v.currency, "heuristic", round(v.score, 3), v.context, tuple(v.reasons))
        for v in visible[:MAX_VISIBLE_CANDIDATES]
    )
    out.sort(key=lambda c: -c.score)
    return out


def _document_name(page: Page) -> str | None:
    """The product's name from `<title>` when nothing else names it: the part before the
    shop's name ("マイコン炊飯器 | 楽天市場")."""
    title = document_title(page)
    return _TITLE_SEPARATOR_RE.split(title, maxsplit=1)[0].strip() or None if title else None


def _variant_of(url: str) -> str | None:
    """The `variant=` query value (Shopify and others select the variant in the URL)."""
    values = parse_qs(urlsplit(url).query).get("variant")
    return values[0] if values else None
