"""What price extraction returns. Shared by the extractors, the check pipeline, the worker,
the CLI and the web app, so it lives in the pure core."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pricemon.models import Availability


@dataclass(frozen=True)
class Candidate:
    """One price seen on a page, with where it came from and how much we trust it."""

    amount: Decimal
    currency: str | None
    source: str  # e.g. "jsonld", "microdata", "meta:og", "heuristic", "ai"
    score: float  # higher is better; comparable within one extraction
    context: str = ""  # a short excerpt of the text around it (never a whole page)
    reasons: tuple[str, ...] = ()  # why it scored as it did ("in main product area", ...)


@dataclass
class Extraction:
    """The outcome of reading one HTML document (no network involved)."""

    price: Decimal | None
    currency: str | None
    availability: Availability = Availability.UNKNOWN
    title: str | None = None
    image_url: str | None = None
    method: str = "none"  # which source won: "jsonld", "microdata", "heuristic", ...
    confidence: float = 0.0  # 0..1
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions taken, e.g. disagreements
    looks_script_rendered: bool = False  # the page seems to need JavaScript
    blocked: bool = False  # the page is a bot wall, challenge or CAPTCHA

    @property
    def found(self) -> bool:
        return self.price is not None


@dataclass
class CheckResult:
    """The outcome of checking one URL through every tier (fetch, browser, AI)."""

    url: str
    final_url: str
    price: Decimal | None
    currency: str | None
    availability: Availability
    title: str | None
    image_url: str | None
    method: str  # tier and source, e.g. "http+jsonld", "browser+heuristic", "ai"
    confidence: float
    candidates: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)  # per tier
