"""Importing products from a file: a CSV with a `url` column (and optionally `name`), or one
URL per line. Each line is added through `pricemon.products.add_product`, so the same rules
apply as to `products add`; one bad line never stops the import.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlmodel import Session

from pricemon.domain.urls import normalise_url
from pricemon.errors import InputError
from pricemon.products import add_product, product_by_url

ImportOutcome = Literal["added", "skipped", "invalid"]


@dataclass(frozen=True)
class ImportLine:
    """What happened to one line of an import file (`line` counts from 1)."""

    line: int
    url: str
    outcome: ImportOutcome
    reason: str | None = None
    product_id: int | None = None


@dataclass
class ImportReport:
    """Every non-blank line of an import, in file order, with the counts."""

    lines: list[ImportLine] = field(default_factory=list)

    def count(self, outcome: ImportOutcome) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def added_ids(self) -> list[int]:
        return [line.product_id for line in self.lines if line.product_id is not None]

    def summary(self) -> str:
        return (
            f"{self.count('added')} added, {self.count('skipped')} skipped, "
            f"{self.count('invalid')} invalid"
        )


class _OneColumn(csv.excel):
    delimiter = "\x1f"  # the ASCII unit separator: never in a URL


def _csv_rows(text: str) -> list[tuple[int, str, str | None]] | None:
    """(line, url, name) rows when `text` is a CSV with a `url` header, else None."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    try:
        dialect: Any = csv.Sniffer().sniff(lines[first], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    header = [cell.strip().lower() for cell in next(csv.reader([lines[first]], dialect))]
    if "url" not in header:
        return None
    if len(header) == 1:
        # A lone `url` column: a comma inside an unquoted URL is part of it, not a delimiter.
        dialect = _OneColumn
    url_at, name_at = header.index("url"), header.index("name") if "name" in header else None
    reader = csv.reader(io.StringIO("\n".join(lines[first + 1 :])), dialect)
    rows = []
    for cells in reader:
        line_number = first + 1 + reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        url = cells[url_at] if url_at < len(cells) else ""
        name = cells[name_at] if name_at is not None and name_at < len(cells) else None
        rows.append((line_number, url, name))
    return rows


def _plain_rows(text: str) -> list[tuple[int, str, str | None]]:
    """(line, url, None) for each line that is neither blank nor a `#` comment."""
    return [
        (number, line.strip(), None)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


def import_products(session: Session, text: str) -> ImportReport:
    """Add every URL in `text`: a CSV with a `url` column (and optionally `name`), or one
    URL per line (blank lines and `#` comments ignored).

    Invalid lines and URLs already monitored (or repeated in the file) do not stop the
    import; each line's outcome and reason are in the report.
    """
    text = text.removeprefix("\ufeff")
    rows = _csv_rows(text)
    if rows is None:
        rows = _plain_rows(text)
    report = ImportReport()
    seen: dict[str, int] = {}
    for number, raw_url, name in rows:
        report.lines.append(_import_one(session, number, raw_url.strip(), name, seen))
    return report


def _import_one(
    session: Session, number: int, raw_url: str, name: str | None, seen: dict[str, int]
) -> ImportLine:
    try:
        url = normalise_url(raw_url)
        if url in seen:
            return ImportLine(number, url, "skipped", f"same URL as line {seen[url]}")
        seen[url] = number
        existing = product_by_url(session, url)
        if existing is not None:
            return ImportLine(number, url, "skipped", f"already monitored (product {existing.id})")
        product = add_product(session, url, name=name)
    except InputError as error:
        return ImportLine(number, raw_url, "invalid", error.message)
    return ImportLine(number, url, "added", product_id=product.id)
