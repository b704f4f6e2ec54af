"""Render digest and alert emails (HTML + plain text) from the Jinja2 templates.

Templates live in `pricemon/templates/email/`. The HTML ones are autoescaped: product names,
errors and URLs come from shop pages and must never become markup. Layout is tables with
inline styles because Gmail and Outlook strip <style> blocks and ignore most CSS layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

import jinja2

from pricemon.domain.digest_content import DigestContent, DigestItem
from pricemon.domain.trends import Change

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$", "CHF": "CHF "}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class AlertMessage:
    """What an alert email says."""

    name: str
    url: str
    image_url: str | None
    previous_price: Decimal
    new_price: Decimal
    currency: str
    reason: str  # e.g. "at or below your target of €199.00"


def format_money(amount: Decimal | None, currency: str | None) -> str:
    """`€1,299.00`, `1,299.00 SEK`; amounts with more than 2 decimals keep them."""
    if amount is None:
        return "-"
    exponent = amount.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    number = f"{amount:,.{places}f}"
    code = (currency or "").upper()
    if code in _SYMBOLS:
        return f"{_SYMBOLS[code]}{number}"
    return f"{number} {code}".strip()


def format_percent(value: Decimal) -> str:
    """`4.2%`, always one decimal (no sign: the arrow says the direction)."""
    return f"{abs(value):.1f}%"


def text_change(change: Change | None, label: str) -> str:
    if change is None:
        return f"{label} -"
    arrow = {"up": "↑ up", "down": "↓ down", "same": "="}[change.direction]
    return f"{label} {arrow} {format_percent(change.percent)}".rstrip()


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pricemon", "templates/email"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = format_money
    env.filters["percent"] = format_percent
    env.filters["textchange"] = text_change
    env.filters["longdate"] = lambda when: when.strftime("%A %-d %B %Y, %H:%M %Z")
    env.filters["shortdate"] = _short_date
    return env


def _short_date(when: datetime, content: DigestContent) -> str:
    """A date in the digest's timezone, e.g. `26 Nov 14:05`."""
    tz = content.generated_at.tzinfo
    return when.astimezone(tz).strftime("%-d %b %H:%M")


def _render(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)


def render_digest(content: DigestContent) -> RenderedEmail:
    """The digest as subject, HTML and plain text."""
    return RenderedEmail(
        subject=content.subject,
        html=_render("digest.html.j2", content=content),
        text=digest_text(content),
    )


def render_alert(alert: AlertMessage) -> RenderedEmail:
    """A price alert as subject, HTML and plain text."""
    subject = (
        f"Price alert: {alert.name[:80]} is now {format_money(alert.new_price, alert.currency)}"
    )
    return RenderedEmail(
        subject=subject,
        html=_render("alert.html.j2", alert=alert, subject=subject),
        text=alert_text(alert),
    )


# Plain-text parts: built in code, where line layout is easier to control than in Jinja.


def _summary_lines(content: DigestContent) -> list[str]:
    lines = ["BIGGEST DROPS"]
    lines += [
        f"- {item.product.name[:60]}: down {format_percent(item.drop.percent)}"
        for item in content.biggest_drops
        if item.drop is not None
    ] or ["- none"]
    lines += ["", "NEW LOWS"]
    lines += [
        f"- {item.product.name[:60]}: lowest in {max(item.trend.new_low_in)} days"
        for item in content.new_lows
    ] or ["- none"]
    lines += ["", "FAILING"]
    lines += [
        f"- {item.product.name[:60]}: failing since {_short_date(since, content)}"
        for item in content.failing
        if (since := item.product.failing_since) is not None
    ] or ["- none"]
    return lines


def _refresh_line(content: DigestContent) -> str | None:
    refresh = content.refresh
    if refresh is None or not (refresh.error or refresh.timed_out or refresh.failed):
        return None
    if refresh.error:
        return f"Prices were not refreshed before this report: {refresh.error}"
    line = f"Refresh before sending: {refresh.finished} of {refresh.requested} checks finished"
    if refresh.failed:
        line += f", {refresh.failed} failed"
    if refresh.timed_out:
        line += "; the rest did not finish in time and show their previous price"
    return line + "."


def _item_lines(item: DigestItem, content: DigestContent) -> list[str]:
    product, trend = item.product, item.trend
    lines = [product.name[:90]]
    if trend.current is None:
        price = "no price yet"
    else:
        price = format_money(trend.current.amount, trend.current.currency)
    if product.availability == "out_of_stock":
        price += " (out of stock)"
    if trend.lowest_in:
        price += f", lowest in {max(trend.lowest_in)} days"
    lines.append(f"  {price}")
    if trend.current is not None:
        changes = [text_change(trend.vs_last, "vs last")]
        changes += [text_change(trend.vs_average.get(d), f"{d}d avg") for d in (7, 30, 90, 180)]
        lines.append("  " + ", ".join(changes))
    if product.failing_since is not None:
        failing = f"  FAILING since {_short_date(product.failing_since, content)}"
        if product.last_error:
            failing += f": {product.last_error[:160]}"
        lines.append(failing)
    lines.append(f"  {product.url}")
    return lines


def digest_text(content: DigestContent) -> str:
    """The plain-text part of the digest."""
    count = len(content.items)
    lines = [
        content.subject,
        f"{content.generated_at.strftime('%A %-d %B %Y, %H:%M %Z')}, "
        f"{count} product{'' if count == 1 else 's'}",
        "",
        *_summary_lines(content),
    ]
    refresh = _refresh_line(content)
    if refresh:
        lines += ["", refresh]
    lines += ["", "PRODUCTS"]
    for item in content.items:
        lines += ["", *_item_lines(item, content)]
    if not content.items:
        lines.append("No active products.")
    return "\n".join(lines) + "\n"


def alert_text(alert: AlertMessage) -> str:
    """The plain-text part of a price alert."""
    return (
        f"Price alert: {alert.name}\n\n"
        f"Now {format_money(alert.new_price, alert.currency)} "
        f"(was {format_money(alert.previous_price, alert.currency)}), {alert.reason}.\n\n"
        f"{alert.url}\n\n"
        "Sent once when the price crossed your alert; it re-arms when the price rises above "
        "it again.\n"
    )
