"""Every command has help text, and docs/cli.md is exactly what the code renders."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer.main

from pricemon.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _reference_module():  # scripts/ is not a package
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts/cli_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_has_help() -> None:
    reference = _reference_module()
    missing = [
        " ".join(path)
        for path, command in reference._walk(typer.main.get_command(app), ["pricemon"])
        if not (command.help or "").strip()
    ]
    assert missing == []


def test_cli_reference_is_current() -> None:
    expected = _reference_module().render()
    actual = (ROOT / "docs/cli.md").read_text()
    assert actual == expected, "run: .venv/bin/python scripts/cli_reference.py > docs/cli.md"


def test_readme_links_every_doc() -> None:
    readme = (ROOT / "README.md").read_text()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{doc.name}" in readme, f"README.md does not link docs/{doc.name}"
