"""`pricemon products`: add, list, remove, import and export monitored products.

Each command opens the database (the embedded SQLite default is migrated on the spot; a
DATABASE_URL database must already be current, see `pricemon db push`), calls one function
of `pricemon.products`, and shows the result.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pricemon.cli import products_check
from pricemon.cli.base import open_engine
from pricemon.errors import InputError

if TYPE_CHECKING:
    from pricemon.models import Product

app = typer.Typer(
    help="Add, list, remove, import and export monitored products.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
products_check.register(app)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The product page, http:// or https://.")],
    name: Annotated[str | None, typer.Option("--name", help="Your label for it.")] = None,
) -> None:
    """Start monitoring a product page. The URL is normalised (tracking parameters and
    the fragment dropped); a URL already monitored is refused."""
    from pricemon import products
    from pricemon.db import session_scope

    with session_scope(open_engine(ctx)) as session:
        product = products.add_product(session, url, name=name)
    typer.echo(f"Added product {product.id}: {product.url}")
    if product.id is not None:
        products_check.queue_first_checks(ctx, [product.id])


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array (prices as decimal strings).")
    ] = False,
    search: Annotated[
        str | None, typer.Option("--search", help="Only names, titles or URLs containing this.")
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="name, newest, oldest, price, -price, checked, status.")
    ] = "name",
) -> None:
    """List monitored products with their latest price and status."""
    from pricemon import products
    from pricemon.db import session_scope

    with session_scope(open_engine(ctx)) as session:
        found = products.list_products(session, search=search, sort=sort)
    if as_json:
        import json

        typer.echo(json.dumps([products.product_to_dict(p) for p in found], indent=2))
    elif not found:
        typer.echo("No products yet. Add one with `pricemon products add URL`.")
    else:
        _print_table(found)


def _print_table(found: list[Product]) -> None:
    from rich.console import Console
    from rich.table import Table

    from pricemon.products import decimal_text

    table = Table(box=None, pad_edge=False)
    for column in ("ID", "Name", "Price", "Status", "Checked", "URL"):
        table.add_column(column, overflow="fold", justify="right" if column == "Price" else "left")
    for product in found:
        price = decimal_text(product.last_price)
        checked = product.last_checked_at
        table.add_row(
            str(product.id),
            product.display_name if product.name or product.title else "-",
            f"{price} {product.currency or ''}".strip() if price else "-",
            product.status + (" (paused)" if not product.active else ""),
            checked.strftime("%Y-%m-%d %H:%M UTC") if checked else "never",
            product.url,
        )
    Console().print(table)
    typer.echo(f"{len(found)} product(s)")


@app.command("remove")
def remove(
    ctx: typer.Context,
    product: Annotated[str, typer.Argument(metavar="ID|URL", help="A product id or its URL.")],
) -> None:
    """Stop monitoring a product and delete its price history."""
    from pricemon import products
    from pricemon.db import session_scope

    with session_scope(open_engine(ctx)) as session:
        removed = products.remove_product(session, product)
    typer.echo(f"Removed product {removed.id}: {removed.url}")


def _read_text(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{file} is not UTF-8 text", hint="save it as UTF-8 CSV") from None
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror}") from None


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV file with a `url` column (and optionally `name`), or one URL per "
            "line; `-` reads standard input."
        ),
    ],
) -> None:
    """Add many products at once. Reports each line: added, skipped (already monitored or
    repeated) or invalid (with the reason). Invalid lines do not stop the import."""
    from pricemon.db import session_scope
    from pricemon.product_import import import_products

    text = _read_text(file)
    with session_scope(open_engine(ctx)) as session:
        report = import_products(session, text)
    for line in report.lines:
        detail = f" (product {line.product_id})" if line.product_id else f": {line.reason}"
        typer.echo(f"line {line.line}: {line.outcome} {line.url}{detail}")
    typer.echo(f"Imported {file}: {report.summary()}")
    added = [line.product_id for line in report.lines if line.outcome == "added"]
    products_check.queue_first_checks(ctx, [pid for pid in added if pid is not None])


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or json.")] = (
        ExportFormat.CSV
    ),
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print every product as CSV (readable by `products import`) or JSON."""
    from pricemon import products
    from pricemon.db import session_scope

    with session_scope(open_engine(ctx)) as session:
        text = products.export_products(session, fmt.value)
        count = len(products.list_products(session))
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}") from None
    typer.echo(f"Exported {count} product(s) to {out}")
