"""`pricemon redeploy`: redeploy the web and worker applications on Coolify and follow them."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pricemon.cli.base import get_settings, print_error
from pricemon.errors import ConfigError

if TYPE_CHECKING:
    from pricemon.config import Settings
    from pricemon.coolify.client import CoolifyClient
    from pricemon.coolify.deploy import AppTarget, DeploymentProgress


class Context(StrEnum):
    LOCAL = "local"
    PROD = "prod"


class Role(StrEnum):
    WEB = "web"
    WORKER = "worker"


EXIT_FAILED = 1
EXIT_USAGE = 2


def register(app: typer.Typer) -> None:
    @app.command("redeploy")
    def redeploy(
        ctx: typer.Context,
        context: Annotated[Context, typer.Argument(help="Which Coolify: local or prod.")],
        only: Annotated[
            Role | None, typer.Option("--only", help="Deploy only this application.")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Rebuild without cache (Coolify's force).")
        ] = False,
        wait: Annotated[
            bool,
            typer.Option("--wait/--no-wait", help="Follow the deployments until they end."),
        ] = True,
        timeout_s: Annotated[
            float, typer.Option("--timeout", min=1, help="Seconds to wait for the deployments.")
        ] = 900.0,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Redeploy the web and worker applications on Coolify and follow them.

        Exit status: 0 when every deployment finished and the applications run, 1 when one
        failed, was cancelled or timed out, 2 for a usage or configuration error.
        """
        from pricemon.coolify import deploy

        try:
            settings = get_settings(ctx)
            client, targets = _client_and_targets(settings, context.value, only)
        except ConfigError as error:
            print_error(error)
            raise typer.Exit(EXIT_USAGE) from None
        with client, Display(enabled=wait and not as_json) as display:
            progress = deploy.redeploy(
                client, targets, force=force, wait=wait, timeout_s=timeout_s,
                on_change=display.update,
            )  # fmt: skip
        report(progress, wait=wait, as_json=as_json)
        if wait and not deploy.redeploy_succeeded(progress):
            raise typer.Exit(EXIT_FAILED)


def _client_and_targets(
    settings: Settings, context: str, only: Role | None
) -> tuple[CoolifyClient, list[AppTarget]]:
    """The client and the applications to deploy, or ConfigError naming the variable."""
    from pricemon.coolify.client import CoolifyClient, missing_setting
    from pricemon.coolify.deploy import AppTarget

    coolify = settings.coolify(context)
    client = CoolifyClient.from_context(coolify, api_path=settings.coolify_api_path)
    roles = [only] if only else [Role.WEB, Role.WORKER]
    targets = []
    for role in roles:
        uuid = coolify.web_uuid if role is Role.WEB else coolify.worker_uuid
        if not uuid:
            client.close()
            raise missing_setting(f"{coolify.prefix}{role.value.upper()}_UUID")
        targets.append(AppTarget(role=role.value, uuid=uuid))
    return client, targets


class Display:
    """A live table when stdout is a terminal; otherwise one plain line per status change.

    The table redraws four times a second, so elapsed times tick between polls.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.live: Any = None
        self.seen: dict[str, str] = {}
        self.progress: Sequence[DeploymentProgress] = ()
        self.started = time.monotonic()

    def __enter__(self) -> Display:
        if self.enabled and sys.stdout.isatty():
            from rich.live import Live

            self.live = Live(get_renderable=self._table, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def update(self, progress: Sequence[DeploymentProgress]) -> None:
        if not self.enabled:
            return
        self.progress = progress
        if self.live is not None:
            self.live.refresh()
            return
        for item in progress:
            line = f"{item.role}: {item.status}" + (
                f" ({item.app_status})" if item.app_status else ""
            )
            if self.seen.get(item.role) != line:
                self.seen[item.role] = line
                typer.echo(f"{line}  [{item.elapsed_s:.0f}s, deployment {item.deployment_uuid}]")

    def _table(self) -> Any:
        from rich.table import Table

        table = Table("app", "deployment", "status", "elapsed", "application")
        for item in self.progress:
            elapsed = item.elapsed_s if item.is_final else time.monotonic() - self.started
            table.add_row(
                item.role, item.deployment_uuid, item.status, f"{elapsed:.0f}s",
                item.app_status or "",
            )  # fmt: skip
        return table


def report(progress: Sequence[DeploymentProgress], *, wait: bool, as_json: bool) -> None:
    from pricemon.coolify.deploy import redeploy_succeeded

    if as_json:
        ok = redeploy_succeeded(progress) if wait else None
        payload = {"ok": ok, "deployments": [item.as_dict() for item in progress]}
        typer.echo(json.dumps(payload, indent=2))
        return
    if not wait:
        for item in progress:
            typer.echo(f"{item.role}: queued deployment {item.deployment_uuid}")
        return
    for item in progress:
        if item.succeeded:
            typer.echo(f"✓ {item.role}: {item.status}, {item.app_status} ({item.elapsed_s:.0f}s)")
            continue
        why = item.status if item.status != "finished" else f"not running ({item.app_status})"
        typer.echo(f"✗ {item.role}: {why} after {item.elapsed_s:.0f}s", err=True)
        if item.log_tail:
            source = (
                f"deployment {item.deployment_uuid}"
                if item.log_source == "deployment"
                else f"the application's container log ({item.app_uuid})"
            )
            typer.echo(f"  last lines of {source}:", err=True)
            for line in item.log_tail:
                typer.echo(f"  | {line}", err=True)
