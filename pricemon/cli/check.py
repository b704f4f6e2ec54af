"""`pricemon check`: Check one URL's price now and show how it was found."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pricemon.cli.base import get_settings
from pricemon.errors import InputError

if TYPE_CHECKING:
    from pricemon.domain.offer import CheckResult

TOP_CANDIDATES = 5


class BrowserChoice(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class AIChoice(StrEnum):
    auto = "auto"
    never = "never"


def register(app: typer.Typer) -> None:
    @app.command("check", help="Check one URL's price now and show how it was found.")
    def check(
        ctx: typer.Context,
        url: Annotated[str | None, typer.Argument(help="The product page's URL.")] = None,
        html: Annotated[
            Path | None,
            typer.Option(
                "--html",
                help="Read a saved page (.html or .html.gz) instead of fetching: no network.",
                exists=True,
                dir_okay=False,
                readable=True,
            ),
        ] = None,
        page_url: Annotated[
            str | None,
            typer.Option("--url", help="With --html: the page's original URL (locale hints)."),
        ] = None,
        browser: Annotated[
            BrowserChoice,
            typer.Option(help="Render with Chromium: when needed (auto), always or never."),
        ] = BrowserChoice.auto,
        ai: Annotated[
            AIChoice, typer.Option(help="Ask the LLM (AI_PROVIDER) when still unsure.")
        ] = AIChoice.auto,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON object instead of a panel.")
        ] = False,
    ) -> None:
        """Check one URL (or a saved page) through the tiers and show the price and why."""
        if html is not None:
            result = _check_saved(html, page_url or url)
        else:
            result = _check_url(ctx, url, browser.value, ai.value)
        if as_json:
            typer.echo(_json(result))
        else:
            _show(result)


def _check_saved(path: Path, url: str | None) -> CheckResult:
    from pricemon.checker import check_html
    from pricemon.fetch.page import decode_saved_page

    try:
        html = decode_saved_page(path.read_bytes())
    except ValueError as exc:
        raise InputError(
            f"cannot read {path}: {exc}", hint="give an .html file, or one compressed with gzip"
        ) from exc
    return check_html(html, url or path.as_uri())


def _check_url(ctx: typer.Context, url: str | None, browser: Any, ai: Any) -> CheckResult:
    import asyncio

    from pricemon.checker import check_url

    if not url:
        raise InputError("give a URL to check, or --html FILE", hint="pricemon check URL")
    settings = get_settings(ctx)
    return asyncio.run(check_url(url.strip(), settings, browser_mode=browser, ai_mode=ai))


def result_to_dict(result: CheckResult) -> dict[str, Any]:
    """The JSON shape of `pricemon check --json` (amounts as decimal strings)."""
    return {
        "url": result.url,
        "price": str(result.price) if result.price is not None else None,
        "currency": result.currency,
        "availability": result.availability.value,
        "title": result.title,
        "method": result.method,
        "confidence": round(result.confidence, 3),
        "candidates": [
            {
                "amount": str(c.amount),
                "currency": c.currency,
                "source": c.source,
                "score": round(c.score, 3),
                "context": c.context,
                "reasons": list(c.reasons),
            }
            for c in result.candidates
        ],
        "timings_ms": result.timings_ms,
    }


def _json(result: CheckResult) -> str:
    import json

    return json.dumps(result_to_dict(result), ensure_ascii=False)


def _show(result: CheckResult) -> None:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    summary = Table.grid(padding=(0, 2))
    price = f"{result.price} {result.currency or ''}".strip() if result.price is not None else "-"
    rows = [
        ("Price", price),
        ("Availability", result.availability.value),
        ("Title", result.title or "-"),
        ("Method", result.method),
        ("Confidence", f"{result.confidence:.2f}"),
        ("Timings", ", ".join(f"{k} {v:.0f} ms" for k, v in result.timings_ms.items())),
    ]
    if result.final_url != result.url:
        rows.append(("Final URL", result.final_url))
    for name, value in rows:
        summary.add_row(Text(name, style="bold"), Text(value))  # Text: page text is no markup
    why = Table(title="Why: top candidates", title_justify="left", expand=True)
    for column in ("amount", "source", "score", "reasons"):
        why.add_column(column)
    for c in result.candidates[:TOP_CANDIDATES]:
        amount = f"{c.amount} {c.currency or ''}".strip()
        reasons = "; ".join(c.reasons) or c.context
        why.add_row(Text(amount), Text(c.source), f"{c.score:.2f}", Text(reasons))
    parts: list[Any] = [summary, why]
    if result.notes:
        parts.append(Text("\n".join(f"- {note}" for note in result.notes)))
    Console().print(Panel(Group(*parts), title=Text(result.url), title_align="left"))
