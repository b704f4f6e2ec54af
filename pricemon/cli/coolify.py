"""`pricemon coolify`: set up and reconcile the whole stack in a Coolify project."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from pricemon.cli.base import get_settings, print_error
from pricemon.errors import ConfigError

if TYPE_CHECKING:
    from pricemon.config import Settings
    from pricemon.coolify.client import CoolifyClient
    from pricemon.coolify.deploy import DeploymentProgress
    from pricemon.coolify.provision import ProvisionResult, StackSpec

app = typer.Typer(help="Provision the whole stack in a Coolify project.", no_args_is_help=True)

DEFAULT_TAGS = {"local": "dev", "prod": "latest"}
MARKS = {"create": "+", "update": "~", "unchanged": "="}


class Context(StrEnum):
    LOCAL = "local"
    PROD = "prod"


@app.command("provision")
def provision(
    ctx: typer.Context,
    context: Annotated[Context, typer.Argument(help="Which Coolify: local or prod.")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Make the changes (without it: only print the plan).")
    ] = False,
    project: Annotated[
        str | None, typer.Option(help="Coolify project name [default: COOLIFY_PROJECT].")
    ] = None,
    environment: Annotated[
        str | None,
        typer.Option(help="Environment in the project [default: COOLIFY_ENVIRONMENT]."),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(help="Server name or uuid [default: COOLIFY_SERVER, or the only one]."),
    ] = None,
    image: Annotated[
        str | None,
        typer.Option(
            help="Image without tag, e.g. ghcr.io/OWNER/pricemon [default: PRICEMON_IMAGE]."
        ),
    ] = None,
    tag: Annotated[
        str | None, typer.Option(help="Image tag [default: dev for local, latest for prod].")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="Public URL of the web app, e.g. https://prices.example.")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="After --apply, follow the deployments.")
    ] = True,
    timeout_s: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds to wait for the deployments.")
    ] = 900.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create or reconcile PostgreSQL, Redis and the web and worker apps in a Coolify project.

    Without --apply nothing changes: it prints the plan (+ create, ~ update, = unchanged).
    Exit status: 0 done (or planned), 1 a request or deployment failed, 2 configuration error.
    """
    from pricemon.coolify import provision as prov

    options = {"project": project, "environment": environment, "server": server,
               "image": image, "tag": tag, "domain": domain}  # fmt: skip
    try:
        settings = get_settings(ctx)
        spec = _spec(settings, context.value, options)
        client = _client(settings, context.value)
        with client:
            result = prov.provision(client, spec, apply=apply)
            if not as_json:
                _print_result(result, settings.coolify(context.value).prefix)
            progress = []
            if apply and prov.needs_deploy(client, result):
                progress = _deploy(client, result, wait=wait, timeout_s=timeout_s, show=not as_json)
    except ConfigError as error:
        print_error(error)
        raise typer.Exit(2) from None
    if as_json:
        _print_json(result, progress, settings.coolify(context.value).prefix)
    if apply and wait and progress and not all(item.succeeded for item in progress):
        raise typer.Exit(1)


def _spec(settings: Settings, context: str, options: dict[str, str | None]) -> StackSpec:
    """What to provision: the options, else the settings, else the defaults."""
    from pricemon.coolify.client import missing_setting
    from pricemon.coolify.provision import StackSpec

    image = options["image"] or settings.image
    if not image:
        raise missing_setting("PRICEMON_IMAGE")
    return StackSpec(
        project=options["project"] or settings.coolify_project,
        environment=options["environment"] or settings.coolify_environment,
        image=image,
        tag=options["tag"] or DEFAULT_TAGS[context],
        server=options["server"] or settings.coolify_server,
        domain=options["domain"],
    )


def _client(settings: Settings, context: str) -> CoolifyClient:
    from pricemon.coolify.client import CoolifyClient

    return CoolifyClient.from_context(settings.coolify(context), api_path=settings.coolify_api_path)


def _print_json(result: ProvisionResult, progress: list[DeploymentProgress], prefix: str) -> None:
    payload = {
        "applied": result.applied,
        "changes": result.has_changes,
        "actions": [a.as_dict() for a in result.actions],
        "env": {f"{prefix}WEB_UUID": result.web_uuid, f"{prefix}WORKER_UUID": result.worker_uuid},
        "deployments": [item.as_dict() for item in progress],
    }
    typer.echo(json.dumps(payload, indent=2))


def _print_result(result: ProvisionResult, prefix: str) -> None:
    title = "Changes made:" if result.applied else "Plan (nothing changed; run with --apply):"
    typer.echo(title if result.has_changes else "Nothing to change.")
    for action in result.actions:
        details = f"  ({'; '.join(action.details)})" if action.details else ""
        typer.echo(
            f"  {MARKS[action.change]} {action.change:<9} {action.kind} {action.name}{details}"
        )
    typer.echo("\nPut these in .env:")
    for role, uuid in (("WEB", result.web_uuid), ("WORKER", result.worker_uuid)):
        typer.echo(f"{prefix}{role}_UUID={uuid or '<created by --apply>'}")


def _deploy(
    client: CoolifyClient, result: ProvisionResult, *, wait: bool, timeout_s: float, show: bool
) -> list[DeploymentProgress]:
    """Deploy both applications; with `wait`, follow them (drawn like `pricemon redeploy`)."""
    from pricemon.cli.redeploy import Display, report
    from pricemon.coolify import deploy

    targets = [
        deploy.AppTarget(role, uuid)
        for role, uuid in (("web", result.web_uuid), ("worker", result.worker_uuid))
        if uuid
    ]
    with Display(enabled=wait and show) as display:
        progress = deploy.redeploy(
            client, targets, wait=wait, timeout_s=timeout_s, on_change=display.update
        )
    if show:
        report(progress, wait=wait, as_json=False)
    return progress
