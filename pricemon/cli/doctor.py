"""`pricemon doctor`: diagnose settings, database, Redis, Chromium, AI, email and Coolify."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from pricemon.cli.base import get_settings

if TYPE_CHECKING:
    from pricemon.doctor import Check


class Context(StrEnum):
    LOCAL = "local"
    PROD = "prod"


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        ctx: typer.Context,
        context: Annotated[
            Context | None,
            typer.Option(
                "--context", help="Check this Coolify context [default: every configured one]."
            ),
        ] = None,
        offline: Annotated[
            bool, typer.Option("--offline", help="Do not contact the AI provider, Resend, Coolify.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Diagnose settings, database, Redis, Chromium, AI, email and Coolify.

        Each check shows ✓ (ok), ✗ (failed: exit status 1), ! (warning) or - (skipped),
        with a hint saying how to fix it. Secrets show masked.
        """
        from pricemon.doctor import exit_code, run_checks

        contexts = [context.value] if context else None
        checks = []
        live = _Lines(enabled=not as_json)
        for check in run_checks(lambda: get_settings(ctx), contexts=contexts, offline=offline):
            checks.append(check)
            live.show(check)
        code = exit_code(checks)
        if as_json:
            payload = {"ok": code == 0, "checks": [c.as_dict() for c in checks]}
            typer.echo(json.dumps(payload, indent=2))
        else:
            live.summary(checks)
        raise typer.Exit(code)


class _Lines:
    """Prints each check as it completes; colours on a terminal, plain text otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.console = None
        if enabled and sys.stdout.isatty():
            from rich.console import Console

            self.console = Console(highlight=False)

    def show(self, check: Check) -> None:
        if not self.enabled:
            return
        line = f"{check.status.symbol} {check.name:<21} {check.detail}"
        hint = f"    fix: {check.hint}" if check.hint and check.status.value != "ok" else None
        if self.console is None:
            typer.echo(line)
            if hint:
                typer.echo(hint)
            return
        from rich.markup import escape

        colour = {"ok": "green", "fail": "red", "warn": "yellow", "skip": "dim"}[check.status.value]
        self.console.print(
            f"[{colour}]{check.status.symbol}[/] [bold]{check.name:<21}[/] {escape(check.detail)}",
            markup=True,
        )
        if hint:
            self.console.print(f"[dim]{escape(hint)}[/]")

    def summary(self, checks: list[Check]) -> None:
        counts = {
            s: sum(1 for c in checks if c.status.value == s) for s in ("ok", "fail", "warn", "skip")
        }
        typer.echo(
            f"\n{counts['ok']} ok, {counts['fail']} failed, {counts['warn']} warnings, "
            f"{counts['skip']} skipped"
        )
