"""Render the reference of every `pricemon` command as Markdown (docs/cli.md).

    .venv/bin/python scripts/cli_reference.py > docs/cli.md

tests/test_docs.py fails when docs/cli.md is not what this prints, so the reference can
never drift from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import typer.main

from pricemon.cli import app


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name in getattr(command, "commands", {}):
        sub = command.commands[name]
        if not getattr(sub, "hidden", False):
            yield from _walk(sub, [*path, name])


def _option_line(param: Any) -> str:
    names = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
    if param.param_type_name == "argument":
        names = f"`{getattr(param, 'human_readable_name', None) or str(param.name).upper()}`"
    help_text = (getattr(param, "help", None) or "").strip().replace("\n", " ")
    return f"- {names}: {help_text}" if help_text else f"- {names}"


def render() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command reference",
        "",
        "Generated from the code by `scripts/cli_reference.py`; do not edit by hand.",
        "",
    ]
    for path, command in _walk(root, ["pricemon"]):
        title = " ".join(path)
        lines += [f"## `{title}`", ""]
        help_text = (command.help or "").strip()
        if help_text:
            lines += [help_text.split("\n\n")[0].replace("\n", " "), ""]
        params = [p for p in command.params if p.name not in ("help",)]
        if params:
            lines += [_option_line(p) for p in params] + [""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
