"""Redeploying applications and following their deployments to the end.

`redeploy()` sends ONE `POST /deploy?uuid=a,b` for every application, then polls
`GET /deployments/{uuid}` for each until it is final (`finished`, `failed`,
`cancelled-by-user`) or the timeout passes, then asks each application whether it runs.
Progress goes to an `on_change` callback so the CLI can draw it; nothing here prints.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pricemon.coolify.client import CoolifyClient
from pricemon.errors import CoolifyError

log = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"finished", "failed", "cancelled-by-user"})
TIMED_OUT = "timed-out"
LOG_TAIL_LINES = 30
# After a deployment finishes, how long the application may take to report `running`
# (Coolify refreshes container statuses in the background, so it can lag a little).
APP_SETTLE_S = 120.0


@dataclass(frozen=True)
class AppTarget:
    """One application to deploy: its role in pricemon (`web`, `worker`) and Coolify uuid."""

    role: str
    uuid: str


@dataclass
class DeploymentProgress:
    """What is known about one application's deployment; updated while following it."""

    role: str
    app_uuid: str
    deployment_uuid: str
    message: str = ""
    status: str = "queued"
    elapsed_s: float = 0.0
    app_status: str | None = None
    log_tail: list[str] = field(default_factory=list)
    log_source: str = "deployment"  # or "container": where log_tail comes from
    finished_seen_at: float | None = field(default=None, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES or self.status == TIMED_OUT

    @property
    def succeeded(self) -> bool:
        return self.status == "finished" and is_running(self.app_status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "application_uuid": self.app_uuid,
            "deployment_uuid": self.deployment_uuid,
            "status": self.status,
            "elapsed_s": round(self.elapsed_s, 1),
            "application_status": self.app_status,
            "log_tail": self.log_tail,
            "log_source": self.log_source if self.log_tail else None,
        }


@dataclass(frozen=True)
class Clock:
    """Time for the follow loop; tests pass a fake one so nothing really sleeps."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


DEFAULT_CLOCK = Clock()


def is_running(app_status: str | None) -> bool:
    """Coolify statuses look like `running:healthy`, `exited:unhealthy`, `degraded:...`."""
    return bool(app_status) and str(app_status).split(":", 1)[0] == "running"


def trigger_deploy(
    client: CoolifyClient, targets: Sequence[AppTarget], *, force: bool = False
) -> list[DeploymentProgress]:
    """Queue a deployment of every target in one request; one progress record per target.

    `force` goes in the query only when true: Coolify before 4.2 read `force=false` as true.
    Deploying while a deployment is queued returns that deployment, so this is safe to repeat.
    """
    params: dict[str, str | int] = {"uuid": ",".join(t.uuid for t in targets)}
    if force:
        params["force"] = "true"
    response = client.request("POST", "/deploy", params=params, idempotent=True, what="application")
    data = response.json() if response.content else {}
    entries = data.get("deployments") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CoolifyError(
            f"Coolify at {client.host} queued no deployment for {params['uuid']}",
            hint="check that the uuids are applications (not services or databases)",
        )
    return _match_deployments(targets, entries)


def _match_deployments(
    targets: Sequence[AppTarget], entries: list[dict[str, Any]]
) -> list[DeploymentProgress]:
    by_resource = {e.get("resource_uuid"): e for e in entries if isinstance(e, dict)}
    progress = []
    for index, target in enumerate(targets):
        # Coolify answers in the order of the uuids it was given; match by uuid when it says.
        entry = by_resource.get(target.uuid)
        if entry is None and index < len(entries):
            entry = entries[index]
        if not entry or not entry.get("deployment_uuid"):
            raise CoolifyError(
                f"Coolify queued no deployment for the {target.role} application {target.uuid}",
                hint="see the application's Deployments tab in Coolify",
            )
        progress.append(
            DeploymentProgress(
                role=target.role,
                app_uuid=target.uuid,
                deployment_uuid=str(entry["deployment_uuid"]),
                message=str(entry.get("message") or ""),
            )
        )
    return progress


def deployment_log_lines(deployment: dict[str, Any], *, last: int = LOG_TAIL_LINES) -> list[str]:
    """The last visible lines of a deployment's log.

    Coolify sends `logs` as a JSON-encoded string of `{command, output, type, hidden, ...}`
    entries, and only to tokens with `read:sensitive`; hidden entries are internal commands.
    """
    raw = deployment.get("logs")
    if not raw:
        return []
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return str(raw).splitlines()[-last:]
    lines: list[str] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("hidden"):
            continue
        output = str(entry.get("output") or "").rstrip()
        if output:
            lines.extend(output.splitlines())
    return lines[-last:]


def application_status(client: CoolifyClient, uuid: str) -> str | None:
    data = client.get_json(f"/applications/{uuid}", what=f"application {uuid}")
    status = data.get("status") if isinstance(data, dict) else None
    return str(status) if status else None


def application_logs(client: CoolifyClient, uuid: str, *, lines: int = 100) -> list[str]:
    """The last `lines` lines of the application's container logs."""
    data = client.get_json(
        f"/applications/{uuid}/logs", params={"lines": lines}, what=f"application {uuid}"
    )
    text = data.get("logs") if isinstance(data, dict) else data
    return str(text or "").splitlines()


def follow_deployments(
    client: CoolifyClient,
    progress: Sequence[DeploymentProgress],
    *,
    timeout_s: float,
    poll_interval_s: float = 3.0,
    on_change: Callable[[Sequence[DeploymentProgress]], None] = lambda _p: None,
    clock: Clock | None = None,
) -> None:
    """Poll every deployment until each is final and its application settled, or time runs out.

    Updates `progress` in place and calls `on_change` after every poll. A finished deployment
    is followed until its application reports `running`, for at most APP_SETTLE_S: right
    after a deployment Coolify may still say `exited` or `starting` for a few seconds. An
    application that does not come up gets the tail of its container log instead.
    """
    clock = clock or DEFAULT_CLOCK
    started = clock.now()
    deadline = started + timeout_s
    while True:
        for item in progress:
            if not item.is_final:
                _poll_deployment(client, item)
                item.elapsed_s = clock.now() - started
            if item.status == "finished" and not is_running(item.app_status):
                item.finished_seen_at = item.finished_seen_at or clock.now()
                item.app_status = application_status(client, item.app_uuid)
        on_change(progress)
        if all(_settled(item, clock.now()) for item in progress) or clock.now() >= deadline:
            break
        clock.sleep(poll_interval_s)
    for item in progress:
        if not item.is_final:
            item.status = TIMED_OUT
            item.elapsed_s = clock.now() - started
        elif item.status == "finished" and not is_running(item.app_status):
            _attach_container_log(client, item)
    on_change(progress)


def _settled(item: DeploymentProgress, now: float) -> bool:
    if not item.is_final:
        return False
    if item.status != "finished" or is_running(item.app_status):
        return True
    return item.finished_seen_at is not None and now - item.finished_seen_at >= APP_SETTLE_S


def _attach_container_log(client: CoolifyClient, item: DeploymentProgress) -> None:
    try:
        item.log_tail = application_logs(client, item.app_uuid, lines=LOG_TAIL_LINES)
    except CoolifyError as error:  # the status already says what matters; keep going
        log.warning("could not read the container log of %s: %s", item.app_uuid, error)
        return
    item.log_source = "container"


def _poll_deployment(client: CoolifyClient, item: DeploymentProgress) -> None:
    data = client.get_json(
        f"/deployments/{item.deployment_uuid}", what=f"deployment {item.deployment_uuid}"
    )
    if not isinstance(data, dict):
        return
    status = str(data.get("status") or item.status)
    if status != item.status:
        log.info("deployment %s (%s): %s", item.deployment_uuid, item.role, status)
    item.status = status
    if status in ("failed", "cancelled-by-user"):
        item.log_tail = deployment_log_lines(data)


def redeploy(
    client: CoolifyClient,
    targets: Sequence[AppTarget],
    *,
    force: bool = False,
    wait: bool = True,
    timeout_s: float = 900.0,
    poll_interval_s: float = 3.0,
    on_change: Callable[[Sequence[DeploymentProgress]], None] = lambda _p: None,
    clock: Clock | None = None,
) -> list[DeploymentProgress]:
    """Deploy `targets` and, with `wait`, follow them to the end. See `redeploy_succeeded`."""
    progress = trigger_deploy(client, targets, force=force)
    on_change(progress)
    if wait:
        follow_deployments(
            client,
            progress,
            timeout_s=timeout_s,
            poll_interval_s=poll_interval_s,
            on_change=on_change,
            clock=clock,
        )
    return progress


def redeploy_succeeded(progress: Sequence[DeploymentProgress]) -> bool:
    """True only when every deployment finished and every application reports running."""
    return bool(progress) and all(item.succeeded for item in progress)
