"""`pricemon products ...` through Typer's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from pricemon import db
from pricemon.cli import app
from pricemon.models import Product


def _env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url}


def _add(runner: CliRunner, database_url: str, *args: str) -> str:
    result = runner.invoke(app, ["products", "add", *args], env=_env(database_url))
    assert result.exit_code == 0, result.output
    return result.stdout


def _list_json(runner: CliRunner, database_url: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["products", "list", "--json"], env=_env(database_url))
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def _set_price(database_url: str, product_id: int, amount: str) -> None:
    engine = db.create_db_engine(database_url)
    with db.session_scope(engine) as session:
        product = session.get(Product, product_id)
        assert product is not None
        product.last_price = Decimal(amount)
        product.currency = "EUR"
        product.status = "ok"
        product.last_availability = "in_stock"
        product.last_checked_at = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
        session.add(product)
    engine.dispose()


def test_add_and_list(runner: CliRunner, database_url: str) -> None:
    out = _add(runner, database_url, "https://Shop.example/kettle?utm_source=x#a", "--name", "K")
    assert out == "Added product 1: https://shop.example/kettle\n"
    _add(runner, database_url, "https://shop.example/mug", "--name", "Mug")
    _set_price(database_url, 1, "19.9900")

    listed = _list_json(runner, database_url)
    assert [p["id"] for p in listed] == [1, 2]  # by name: "K" before "Mug"
    first = listed[0]
    assert {k: first[k] for k in ("id", "url", "name", "price", "currency")} == {
        "id": 1,
        "url": "https://shop.example/kettle",
        "name": "K",
        "price": "19.99",
        "currency": "EUR",
    }
    assert first["availability"] == "in_stock" and first["status"] == "ok"
    assert first["last_checked_at"] == "2026-11-28T08:00:00+00:00"
    assert first["last_error"] is None
    assert listed[1]["price"] is None and listed[1]["last_checked_at"] is None

    table = runner.invoke(app, ["products", "list"], env=_env(database_url))
    assert table.exit_code == 0
    assert "19.99 EUR" in table.stdout and "https://shop.example/mug" in table.stdout
    assert "never" in table.stdout  # the mug was never checked
    assert table.stdout.splitlines()[-1] == "2 product(s)"


def test_list_empty(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(app, ["products", "list"], env=_env(database_url))
    assert result.exit_code == 0
    assert result.stdout == "No products yet. Add one with `pricemon products add URL`.\n"
    assert _list_json(runner, database_url) == []


def test_duplicate_is_refused(runner: CliRunner, database_url: str) -> None:
    _add(runner, database_url, "https://shop.example/kettle")
    result = runner.invoke(
        app, ["products", "add", "HTTPS://shop.example/kettle?gclid=1"], env=_env(database_url)
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: https://shop.example/kettle is already monitored (product 1)",
        "Hint: see it with `pricemon products list`; remove it with `pricemon products remove 1`",
    ]
    assert len(_list_json(runner, database_url)) == 1


def test_add_not_a_url(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(app, ["products", "add", "not-a-url"], env=_env(database_url))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: invalid URL 'not-a-url': it does not start with http:// or https://",
        "Hint: give a full product page address, e.g. https://shop.example/item/123",
    ]
    assert _list_json(runner, database_url) == []


def test_remove_by_id_and_url(runner: CliRunner, database_url: str) -> None:
    _add(runner, database_url, "https://shop.example/a")
    _add(runner, database_url, "https://shop.example/b")
    env = _env(database_url)
    by_id = runner.invoke(app, ["products", "remove", "1"], env=env)
    assert by_id.exit_code == 0 and by_id.stdout == "Removed product 1: https://shop.example/a\n"
    by_url = runner.invoke(app, ["products", "remove", "https://shop.example/b#x"], env=env)
    assert by_url.exit_code == 0 and by_url.stdout == "Removed product 2: https://shop.example/b\n"
    missing = runner.invoke(app, ["products", "remove", "7"], env=env)
    assert missing.exit_code == 1
    assert missing.stderr.splitlines()[0] == "Error: there is no product 7"
    assert _list_json(runner, database_url) == []


def test_import_mixed_file(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    _add(runner, database_url, "https://shop.example/old")
    file = tmp_path / "urls.txt"
    file.write_text(
        "# wish list\n"
        "https://shop.example/a?utm_campaign=x\n"
        "not a url\n"
        "\n"
        "https://shop.example/a\n"
        "https://shop.example/old\n"
        "file:///etc/passwd\n"
        "https://shop.example/b\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["products", "import", str(file)], env=_env(database_url))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "line 2: added https://shop.example/a (product 2)",
        "line 3: invalid not a url: invalid URL 'not a url': it does not start with "
        "http:// or https://",
        "line 5: skipped https://shop.example/a: same URL as line 2",
        "line 6: skipped https://shop.example/old: already monitored (product 1)",
        "line 7: invalid file:///etc/passwd: invalid URL 'file:///etc/passwd': only http and "
        "https pages can be monitored, not file://",
        "line 8: added https://shop.example/b (product 3)",
        f"Imported {file}: 2 added, 2 skipped, 2 invalid",
    ]
    assert len(_list_json(runner, database_url)) == 3


def test_import_csv_and_missing_file(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    file = tmp_path / "products.csv"
    file.write_text('url,name\nhttps://shop.example/a,"Kettle, red"\n', encoding="utf-8")
    result = runner.invoke(app, ["products", "import", str(file)], env=_env(database_url))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"Imported {file}: 1 added, 0 skipped, 0 invalid"
    assert _list_json(runner, database_url)[0]["name"] == "Kettle, red"

    missing = runner.invoke(
        app, ["products", "import", str(tmp_path / "nope.csv")], env=_env(database_url)
    )
    assert missing.exit_code == 1
    assert missing.stderr.splitlines()[0] == (
        f"Error: cannot read {tmp_path / 'nope.csv'}: No such file or directory"
    )


def test_export_round_trip(runner: CliRunner, database_url: str, tmp_path: Path) -> None:
    env = _env(database_url)
    _add(runner, database_url, "https://shop.example/a", "--name", "Kettle, red")
    _add(runner, database_url, "https://shop.example/b")
    _set_price(database_url, 1, "5")
    out = tmp_path / "export.csv"
    result = runner.invoke(app, ["products", "export", "--out", str(out)], env=env)
    assert result.exit_code == 0
    assert result.stdout == f"Exported 2 product(s) to {out}\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["url"], r["name"], r["price"]) for r in rows] == [
        ("https://shop.example/a", "Kettle, red", "5.00"),
        ("https://shop.example/b", "", ""),
    ]
    as_json = runner.invoke(app, ["products", "export", "--format", "json"], env=env)
    assert as_json.exit_code == 0
    exported = json.loads(as_json.stdout)
    assert [p["price"] for p in exported] == ["5.00", None]

    for product_id in ("1", "2"):
        assert runner.invoke(app, ["products", "remove", product_id], env=env).exit_code == 0
    again = runner.invoke(app, ["products", "import", str(out)], env=env)
    assert again.stdout.splitlines()[-1] == f"Imported {out}: 2 added, 0 skipped, 0 invalid"
    assert [(p["url"], p["name"]) for p in _list_json(runner, database_url)] == [
        ("https://shop.example/b", None),  # by name; no name sorts by URL: "h" < "k"
        ("https://shop.example/a", "Kettle, red"),
    ]


def test_behind_database_is_refused(
    runner: CliRunner, empty_database_url: str, head_revision: str
) -> None:
    """With DATABASE_URL set, a database without migrations is an error, not a surprise."""
    result = runner.invoke(
        app, ["products", "add", "https://shop.example/a"], env=_env(empty_database_url)
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "Error: the database is behind: "
    ) and result.stderr.splitlines()[0].endswith(f"(at empty, latest {head_revision})")
    assert result.stderr.splitlines()[1] == "Hint: run `pricemon db push`"


def test_embedded_default_is_migrated_on_first_use(runner: CliRunner, tmp_path: Path) -> None:
    """Without DATABASE_URL the SQLite file under PRICEMON_DATA_DIR is created and migrated."""
    env = {"PRICEMON_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, ["products", "add", "https://shop.example/a"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "pricemon.db").is_file()
    listed = runner.invoke(app, ["products", "list", "--json"], env=env)
    assert [p["url"] for p in json.loads(listed.stdout)] == ["https://shop.example/a"]


def test_import_from_stdin(runner: CliRunner, database_url: str) -> None:
    result = runner.invoke(
        app,
        ["products", "import", "-"],
        input="https://shop.example/a\nhttps://shop.example/b\n",
        env=_env(database_url),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Imported -: 2 added, 0 skipped, 0 invalid"


def test_list_sort_and_search(runner: CliRunner, database_url: str) -> None:
    _add(runner, database_url, "https://shop.example/a", "--name", "Zebra")
    _add(runner, database_url, "https://other.example/b", "--name", "Apple")
    env = _env(database_url)
    newest = runner.invoke(app, ["products", "list", "--json", "--sort", "newest"], env=env)
    assert [p["name"] for p in json.loads(newest.stdout)] == ["Apple", "Zebra"]
    found = runner.invoke(app, ["products", "list", "--json", "--search", "SHOP."], env=env)
    assert [p["name"] for p in json.loads(found.stdout)] == ["Zebra"]
    bad = runner.invoke(app, ["products", "list", "--sort", "colour"], env=env)
    assert bad.exit_code == 1
    assert bad.stderr.splitlines()[0] == "Error: unknown sort 'colour'"
