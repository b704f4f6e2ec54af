"""Provisioning: create or reconcile the whole pricemon stack in a Coolify project.

The stack is a project and environment holding PostgreSQL 15, Redis 7, and the image as two
applications (web, worker) with their environment variables. `provision()` walks it in order;
each step reads what exists, decides create / update / unchanged, and acts only when `apply`
is true, so the plan and the changes come from the same code and cannot disagree.

Existing resources are found by name (`pricemon-web`...) inside the environment, through
`GET /projects/{uuid}/{environment}`, the one call that lists what an environment holds.
Databases are never altered once created; applications are patched field by field;
environment variables are upserted by key (`PATCH .../envs/bulk`) and never deleted.
Secret values (passwords, URLs with passwords) are never part of the plan's text.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from pricemon.coolify.client import CoolifyClient
from pricemon.errors import ConfigError, CoolifyError

log = logging.getLogger(__name__)

POSTGRES = "pricemon-postgres"
REDIS = "pricemon-redis"
WEB = "pricemon-web"
WORKER = "pricemon-worker"
POSTGRES_IMAGE = "postgres:15-alpine"
REDIS_IMAGE = "redis:7-alpine"
APP_PORT = "8000"
# Coolify's image applications have no start-command field; a different command goes in the
# custom Docker options, which Coolify turns into the container's entrypoint. --init keeps a
# PID 1 that forwards SIGTERM so the worker can finish its jobs on redeploy.
WORKER_DOCKER_OPTIONS = '--init --entrypoint "pricemon work"'


@dataclass(frozen=True)
class StackSpec:
    """What to provision: where (project, environment, server) and which image."""

    project: str
    environment: str
    image: str
    tag: str
    server: str | None = None
    domain: str | None = None


@dataclass
class Action:
    """One resource's outcome: `create`, `update` or `unchanged`, with what differs."""

    kind: str
    name: str
    change: str
    details: list[str] = field(default_factory=list)
    uuid: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "change": self.change,
                "details": self.details, "uuid": self.uuid}  # fmt: skip


@dataclass
class ProvisionResult:
    applied: bool
    actions: list[Action]
    web_uuid: str | None = None
    worker_uuid: str | None = None

    @property
    def has_changes(self) -> bool:
        return any(a.change != "unchanged" for a in self.actions)


def app_settings(spec: StackSpec, *, worker: bool) -> dict[str, Any]:
    """The application fields pricemon manages, as `POST /applications/dockerimage` names them."""
    fields: dict[str, Any] = {
        "docker_registry_image_name": spec.image,
        "docker_registry_image_tag": spec.tag,
        "ports_exposes": APP_PORT,
    }
    if worker:
        # The worker serves no HTTP; the image's HEALTHCHECK (`pricemon work --check`) and
        # the heartbeat tell whether it is alive.
        fields |= {
            "health_check_enabled": False,
            "custom_docker_run_options": WORKER_DOCKER_OPTIONS,
        }
    else:
        fields |= {
            "health_check_enabled": True,
            "health_check_path": "/healthz",
            "health_check_port": APP_PORT,
            "health_check_return_code": 200,
        }
        if spec.domain:
            fields["domains"] = spec.domain
    return fields


def app_env(
    *, database_url: str | None, redis_url: str | None, worker: bool
) -> dict[str, str | None]:
    """Variables pricemon sets on an application (None: known only once the database exists)."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PRICEMON_ENV": "production",
        "PRICEMON_HOST": "0.0.0.0",  # noqa: S104 (inside the container, behind Coolify's proxy)
        "PORT": APP_PORT,
        "ENABLE_SCHEDULER": "true" if worker else "false",
    }


class _Reconciler:
    def __init__(self, client: CoolifyClient, spec: StackSpec, *, apply: bool) -> None:
        self.client = client
        self.spec = spec
        self.apply = apply
        self.actions: list[Action] = []

    def record(self, kind: str, name: str, change: str, details: list[str] | None = None,
               uuid: str | None = None) -> Action:  # fmt: skip
        action = Action(kind, name, change, details or [], uuid)
        self.actions.append(action)
        log.info("provision %s %s: %s %s", kind, name, change, "; ".join(action.details))
        return action

    # Where ----------------------------------------------------------------------------------

    def server_uuid(self) -> str:
        servers = self.client.get_json("/servers") or []
        names = [str(s.get("name")) for s in servers]
        wanted = self.spec.server
        if wanted is None and len(servers) == 1:
            return str(servers[0]["uuid"])
        wanted = wanted or "localhost"
        for server in servers:
            if wanted in (server.get("name"), server.get("uuid")):
                return str(server["uuid"])
        raise ConfigError(
            f"Coolify has no server named {wanted!r} (servers: {', '.join(names) or 'none'})",
            hint="choose one with --server NAME or COOLIFY_SERVER",
        )

    def project_uuid(self) -> str | None:
        projects = self.client.get_json("/projects") or []
        for project in projects:
            if project.get("name") == self.spec.project:
                self.record("project", self.spec.project, "unchanged", uuid=project["uuid"])
                return str(project["uuid"])
        self.record("project", self.spec.project, "create")
        if not self.apply:
            return None
        created = self.client.send_json("POST", "/projects", {"name": self.spec.project})
        self.actions[-1].uuid = created["uuid"]
        return str(created["uuid"])

    def environment(self, project_uuid: str | None) -> dict[str, Any] | None:
        """The environment with its resources, creating it when missing (None in a plan)."""
        name = self.spec.environment
        if project_uuid is None:
            self.record("environment", name, "create")
            return None
        project = self.client.get_json(f"/projects/{project_uuid}", what=f"project {project_uuid}")
        known = [e.get("name") for e in project.get("environments") or []]
        if name in known:
            self.record("environment", name, "unchanged")
        else:
            self.record("environment", name, "create")
            if not self.apply:
                return None
            self.client.send_json("POST", f"/projects/{project_uuid}/environments", {"name": name})
        env = self.client.get_json(f"/projects/{project_uuid}/{name}", what=f"environment {name}")
        return env if isinstance(env, dict) else None

    # Databases ------------------------------------------------------------------------------

    def database(self, kind: str, env: dict[str, Any] | None, where: dict[str, str]) -> str | None:
        """The database's internal URL, creating the database when missing (None in a plan)."""
        name, listing, image = (
            (POSTGRES, "postgresqls", POSTGRES_IMAGE) if kind == "postgresql"
            else (REDIS, "redis", REDIS_IMAGE)
        )  # fmt: skip
        existing = _by_name((env or {}).get(listing), name)
        if existing is not None:
            details = []
            if existing.get("image") and existing["image"] != image:
                details.append(f"image is {existing['image']}, wanted {image} (left as it is)")
            self.record(kind, name, "unchanged", details, uuid=existing.get("uuid"))
            return self._internal_url(existing)
        self.record(kind, name, "create", [f"image {image}"])
        if not self.apply:
            return None
        body = {**where, "name": name, "image": image, "is_public": False,
                "instant_deploy": True} | _credentials(kind)  # fmt: skip
        created = self.client.send_json("POST", f"/databases/{kind}", body)
        self.actions[-1].uuid = created.get("uuid")
        url = created.get("internal_db_url")
        return str(url) if url else self._internal_url(created)

    def _internal_url(self, record: dict[str, Any]) -> str:
        if record.get("internal_db_url"):
            return str(record["internal_db_url"])
        data = self.client.get_json(f"/databases/{record['uuid']}", what="database")
        url = data.get("internal_db_url") if isinstance(data, dict) else None
        if not url:
            raise CoolifyError(
                f"Coolify did not say the internal URL of database {record.get('uuid')}",
                hint="the token needs the read:sensitive ability to read database URLs",
            )
        return str(url)

    # Applications ---------------------------------------------------------------------------

    def application(self, name: str, env: dict[str, Any] | None, where: dict[str, str], *,
                    worker: bool) -> str | None:  # fmt: skip
        wanted = app_settings(self.spec, worker=worker)
        existing = _by_name((env or {}).get("applications"), name)
        if existing is None:
            self.record("application", name, "create", [f"{self.spec.image}:{self.spec.tag}"])
            if not self.apply:
                return None
            body = {**where, "name": name, "instant_deploy": False} | wanted
            created = self.client.send_json("POST", "/applications/dockerimage", body)
            self.actions[-1].uuid = created["uuid"]
            return str(created["uuid"])
        uuid = str(existing["uuid"])
        current = self.client.get_json(f"/applications/{uuid}", what=f"application {name}")
        changed = {k: v for k, v in wanted.items() if not _same(k, v, current)}
        details = [f"{k}: {_current(k, current)!r} -> {v!r}" for k, v in changed.items()]
        self.record("application", name, "update" if changed else "unchanged", details, uuid=uuid)
        if changed and self.apply:
            self.client.send_json("PATCH", f"/applications/{uuid}", changed, idempotent=True)
        return uuid

    def env_vars(self, name: str, app_uuid: str | None, wanted: dict[str, str | None]) -> None:
        """Upsert pricemon's variables; others (API keys set by the operator) are left alone."""
        current: dict[str, str] = {}
        if app_uuid is not None:
            listing = self.client.get_json(f"/applications/{app_uuid}/envs") or []
            current = {e["key"]: e.get("value") for e in listing if not e.get("is_preview")}
        if name == WEB and "PRICEMON_SECRET_KEY" not in current:
            # Signs the dashboard's sessions: generated once, then kept across runs.
            wanted["PRICEMON_SECRET_KEY"] = secrets.token_urlsafe(32)
        changed = sorted(k for k, v in wanted.items() if v is None or current.get(k) != v)
        change = "unchanged" if not changed else ("create" if not current else "update")
        self.record("env vars", name, change, [f"set {', '.join(changed)}"] if changed else [])
        if changed and self.apply and app_uuid is not None:
            data = [_env_item(k, str(wanted[k])) for k in changed if wanted[k] is not None]
            self.client.send_json("PATCH", f"/applications/{app_uuid}/envs/bulk", {"data": data},
                                  idempotent=True)  # fmt: skip


def provision(client: CoolifyClient, spec: StackSpec, *, apply: bool) -> ProvisionResult:
    """Plan (apply=False: read only) or create/update every resource of the stack."""
    r = _Reconciler(client, spec, apply=apply)
    server_uuid = r.server_uuid()
    project_uuid = r.project_uuid()
    env = r.environment(project_uuid)
    where = {"project_uuid": project_uuid or "", "server_uuid": server_uuid,
             "environment_name": spec.environment}  # fmt: skip
    database_url = r.database("postgresql", env, where)
    redis_url = r.database("redis", env, where)
    uuids = {}
    for name, worker in ((WEB, False), (WORKER, True)):
        uuids[name] = r.application(name, env, where, worker=worker)
        wanted = app_env(database_url=database_url, redis_url=redis_url, worker=worker)
        r.env_vars(name, uuids[name], wanted)
    return ProvisionResult(apply, r.actions, web_uuid=uuids[WEB], worker_uuid=uuids[WORKER])


def needs_deploy(client: CoolifyClient, result: ProvisionResult) -> bool:
    """Whether the applications should be (re)deployed after `provision(apply=True)`."""
    from pricemon.coolify.deploy import application_status, is_running

    if result.has_changes:
        return True
    uuids = [u for u in (result.web_uuid, result.worker_uuid) if u]
    return not all(is_running(application_status(client, uuid)) for uuid in uuids)


def _by_name(items: Any, name: str) -> dict[str, Any] | None:
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    return None


def _credentials(kind: str) -> dict[str, str]:
    if kind == "postgresql":
        return {"postgres_user": "pricemon", "postgres_db": "pricemon",
                "postgres_password": secrets.token_urlsafe(24)}  # fmt: skip
    return {"redis_password": secrets.token_urlsafe(24)}


def _current(key: str, current: dict[str, Any]) -> Any:
    # The create body says `domains`; the application record calls the same thing `fqdn`.
    return current.get("fqdn") if key == "domains" else current.get(key)


def _same(key: str, wanted: Any, current: dict[str, Any]) -> bool:
    have = _current(key, current)
    if isinstance(wanted, bool) or isinstance(have, bool):
        return bool(have) == wanted
    return have is not None and str(have) == str(wanted)


def _env_item(key: str, value: str) -> dict[str, Any]:
    """One entry of `PATCH /applications/{uuid}/envs/bulk`: only the keys Coolify accepts."""
    return {"key": key, "value": value, "is_preview": False, "is_literal": True,
            "is_multiline": False, "is_shown_once": False, "is_runtime": True,
            "is_buildtime": False}  # fmt: skip
