"""A fake Coolify 4.3 behind respx, shaped like the real server (not like the spec).

Where the spec and the server differ, this follows the server, as described in
`../shared/coolify/README.md`: 403 denials say `"success": true`; database creation answers
201 `{uuid, internal_db_url}`; deployment `logs` is a JSON-encoded string with hidden
entries; `/version` is plain text; unknown body keys get 422 "This field is not allowed.";
GET /deploy answers 405. Every request is recorded in `requests` for the tests to assert.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

BASE = "http://coolify.test:8000"
TOKEN = "3|s3cr3t-t0ken-abcdef123456"

APP_KEYS = {
    "project_uuid", "server_uuid", "environment_name", "environment_uuid",
    "docker_registry_image_name", "docker_registry_image_tag", "ports_exposes", "name",
    "description", "domains", "instant_deploy", "health_check_enabled", "health_check_path",
    "health_check_port", "health_check_method", "health_check_return_code",
    "health_check_scheme", "health_check_interval", "health_check_timeout",
    "health_check_retries", "health_check_start_period", "custom_docker_run_options",
    "limits_memory", "autogenerate_domain",
}  # fmt: skip
DB_KEYS = {
    "project_uuid", "server_uuid", "environment_name", "environment_uuid", "name",
    "description", "image", "is_public", "instant_deploy", "postgres_user",
    "postgres_password", "postgres_db", "redis_password",
}  # fmt: skip
ENV_KEYS = {
    "key", "value", "is_preview", "is_literal", "is_multiline", "is_shown_once",
    "is_runtime", "is_buildtime",
}  # fmt: skip


def deployment_logs(*outputs: str, hidden: tuple[str, ...] = ()) -> str:
    """A deployment's `logs` field as Coolify sends it: a JSON-encoded string."""
    entries = [
        {"command": "docker pull", "output": text, "type": "stdout",
         "timestamp": "2026-11-28T10:00:00.000000Z", "hidden": False, "batch": 1}
        for text in outputs
    ]  # fmt: skip
    entries += [
        {"command": "internal", "output": text, "type": "stdout",
         "timestamp": "2026-11-28T10:00:00.000000Z", "hidden": True, "batch": 1}
        for text in hidden
    ]  # fmt: skip
    return json.dumps(entries)


@dataclass
class App:
    uuid: str
    name: str = "app"
    status: str = "running:healthy"
    # Statuses the next deployment goes through, one per poll; the last one stays.
    script: list[str] = field(default_factory=lambda: ["queued", "in_progress", "finished"])
    status_after: str = "running:healthy"
    logs: str = ""
    container_log: str = "Starting pricemon\nTraceback: pricemon serve crashed"
    fields: dict[str, Any] = field(default_factory=dict)
    envs: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Deployment:
    uuid: str
    app: App
    script: list[str]
    polls: int = 0

    @property
    def status(self) -> str:
        return self.script[min(self.polls, len(self.script) - 1)]


class FakeCoolify:
    """State and handlers; `install(router)` routes every request to `handle`."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.requests: list[httpx.Request] = []
        self.apps: dict[str, App] = {}
        self.deployments: dict[str, Deployment] = {}
        self.servers = [
            {"id": 0, "uuid": "srv0", "name": "localhost", "ip": "host.docker.internal"}
        ]
        self.projects: dict[str, dict[str, Any]] = {}
        self.environments: dict[str, dict[str, Any]] = {}  # env uuid -> env
        self.databases: dict[str, dict[str, Any]] = {}
        self.deny: tuple[int, dict[str, Any]] | None = None
        self.rate_limit: list[int] = []  # Retry-After values for the next POST /deploy calls
        self.fail_5xx = 0
        self.fail_status = 502
        self.listing_has_urls = True  # False: environment listings omit internal_db_url
        self._ids = itertools.count(1)

    def add_app(self, uuid: str, **kwargs: Any) -> App:
        self.apps[uuid] = App(uuid=uuid, **kwargs)
        return self.apps[uuid]

    def install(self, router: respx.MockRouter) -> FakeCoolify:
        router.route(host="coolify.test").mock(side_effect=self.handle)
        return self

    def new_uuid(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    # Dispatch -------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path in ("/api/health", "/api/v1/health"):
            return httpx.Response(200, text="OK")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"message": "Unauthenticated."})
        if self.deny:
            return httpx.Response(self.deny[0], json=self.deny[1])
        if self.fail_5xx:
            self.fail_5xx -= 1
            return httpx.Response(self.fail_status, text="Server Error")
        if request.content and request.headers.get("Content-Type") != "application/json":
            return httpx.Response(400, json={"message": "Invalid request."})
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path.removeprefix("/api/v1"))
            if match and request.method == method:
                return handler(request, *match.groups())
        if re.fullmatch(r"/api/v1/deploy", path):
            return httpx.Response(
                405, json={"message": "This endpoint has changed to a POST request."}
            )
        return httpx.Response(404, json={"message": "Not found."})

    def _routes(self) -> list[tuple[str, str, Callable[..., httpx.Response]]]:
        return [
            ("GET", r"/version", lambda _r: httpx.Response(200, text="4.3.11")),
            ("POST", r"/deploy", self.deploy),
            ("GET", r"/deployments/([^/]+)", self.get_deployment),
            ("GET", r"/applications/([^/]+)", self.get_app),
            ("PATCH", r"/applications/([^/]+)", self.patch_app),
            ("GET", r"/applications/([^/]+)/logs", self.app_logs),
            ("GET", r"/applications/([^/]+)/envs", self.get_envs),
            ("PATCH", r"/applications/([^/]+)/envs/bulk", self.bulk_envs),
            ("POST", r"/applications/dockerimage", self.create_app),
            ("GET", r"/servers", lambda _r: httpx.Response(200, json=self.servers)),
            ("GET", r"/projects", self.list_projects),
            ("POST", r"/projects", self.create_project),
            ("GET", r"/projects/([^/]+)", self.get_project),
            ("POST", r"/projects/([^/]+)/environments", self.create_environment),
            ("GET", r"/projects/([^/]+)/([^/]+)", self.get_environment),
            ("POST", r"/databases/(postgresql|redis)", self.create_database),
            ("GET", r"/databases/([^/]+)", self.get_database),
        ]

    # Deployments ----------------------------------------------------------------------------

    def deploy(self, request: httpx.Request) -> httpx.Response:
        if self.rate_limit:
            retry_after = self.rate_limit.pop(0)
            return httpx.Response(
                429,
                headers={"Retry-After": str(retry_after)},
                json={"message": "Deployment queue is full. Please try again later."},
            )
        uuids = request.url.params.get("uuid", "").split(",")
        if not all(u in self.apps for u in uuids):
            return httpx.Response(404, json={"message": "No resources found."})
        result = []
        for uuid in uuids:
            running = [
                d for d in self.deployments.values()
                if d.app.uuid == uuid and d.status in ("queued", "in_progress")
            ]  # fmt: skip
            if running:
                message, dep = "Deployment already queued for this commit.", running[0]
            else:
                app = self.apps[uuid]
                dep = Deployment(uuid=self.new_uuid("dep"), app=app, script=list(app.script))
                self.deployments[dep.uuid] = dep
                message = f"Application {app.name} deployment queued."
            result.append({"message": message, "resource_uuid": uuid, "deployment_uuid": dep.uuid})
        return httpx.Response(200, json={"deployments": result})

    def get_deployment(self, _request: httpx.Request, uuid: str) -> httpx.Response:
        dep = self.deployments.get(uuid)
        if dep is None:
            return httpx.Response(404, json={"message": "Deployment not found."})
        dep.polls += 1
        status = dep.status
        if status == "finished":
            dep.app.status = dep.app.status_after
        body: dict[str, Any] = {
            "id": 1, "application_id": "1", "deployment_uuid": uuid, "status": status,
            "application_name": dep.app.name, "server_name": "localhost", "force_rebuild": False,
            "created_at": "2026-11-28T10:00:00.000000Z", "logs": dep.app.logs or "[]",
        }  # fmt: skip
        if status in ("finished", "failed", "cancelled-by-user"):
            body["finished_at"] = "2026-11-28T10:01:00.000000Z"
        return httpx.Response(200, json=body)

    def get_app(self, _request: httpx.Request, uuid: str) -> httpx.Response:
        app = self.apps.get(uuid)
        if app is None:
            return httpx.Response(404, json={"message": "Application not found."})
        return httpx.Response(
            200, json={"uuid": app.uuid, "name": app.name, "status": app.status, **app.fields}
        )

    def app_logs(self, request: httpx.Request, uuid: str) -> httpx.Response:
        app = self.apps.get(uuid)
        if app is None:
            return httpx.Response(404, json={"message": "Application not found."})
        lines = int(request.url.params.get("lines", 100))
        text = "\n".join(app.container_log.splitlines()[-lines:])
        return httpx.Response(200, json={"logs": text})

    # Provisioning ---------------------------------------------------------------------------

    def _unknown_keys(self, body: dict[str, Any], known: set[str]) -> httpx.Response | None:
        unknown = sorted(set(body) - known)
        if unknown:
            return httpx.Response(
                422,
                json={"message": "Validation failed.",
                      "errors": {k: ["This field is not allowed."] for k in unknown}},
            )  # fmt: skip
        return None

    def list_projects(self, _request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[
            {"id": 1, "uuid": p["uuid"], "name": p["name"], "description": None}
            for p in self.projects.values()
        ])  # fmt: skip

    def create_project(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        uuid = self.new_uuid("prj")
        self.projects[uuid] = {"uuid": uuid, "name": body["name"], "environments": []}
        self._add_environment(uuid, "production")
        return httpx.Response(201, json={"uuid": uuid})

    def _add_environment(self, project_uuid: str, name: str) -> dict[str, Any]:
        env = {"id": next(self._ids), "uuid": self.new_uuid("env"), "name": name,
               "project_uuid": project_uuid, "applications": [], "postgresqls": [], "redis": [],
               "services": []}  # fmt: skip
        self.environments[env["uuid"]] = env
        self.projects[project_uuid]["environments"].append(env)
        return env

    def get_project(self, _request: httpx.Request, uuid: str) -> httpx.Response:
        project = self.projects.get(uuid)
        if project is None:
            return httpx.Response(404, json={"message": "Project not found."})
        envs = [
            {"id": e["id"], "uuid": e["uuid"], "name": e["name"]} for e in project["environments"]
        ]
        return httpx.Response(
            200, json={"uuid": uuid, "name": project["name"], "environments": envs}
        )

    def create_environment(self, request: httpx.Request, uuid: str) -> httpx.Response:
        name = json.loads(request.content)["name"]
        if any(e["name"] == name for e in self.projects[uuid]["environments"]):
            return httpx.Response(
                409, json={"message": "Environment with this name already exists."}
            )
        return httpx.Response(201, json={"uuid": self._add_environment(uuid, name)["uuid"]})

    def _find_env(self, project_uuid: str, env: str) -> dict[str, Any] | None:
        for candidate in self.projects.get(project_uuid, {}).get("environments", []):
            if env in (candidate["name"], candidate["uuid"]):
                return candidate  # type: ignore[no-any-return]
        return None

    def get_environment(self, _request: httpx.Request, uuid: str, env: str) -> httpx.Response:
        found = self._find_env(uuid, env)
        if found is None:
            return httpx.Response(404, json={"message": "Environment not found."})
        body = {k: v for k, v in found.items() if k != "project_uuid"}
        if not self.listing_has_urls:
            for key in ("postgresqls", "redis"):
                body[key] = [
                    {k: v for k, v in db.items() if k != "internal_db_url"} for db in body[key]
                ]
        return httpx.Response(200, json=body)

    def create_database(self, request: httpx.Request, kind: str) -> httpx.Response:
        body = json.loads(request.content)
        if (problem := self._unknown_keys(body, DB_KEYS)) is not None:
            return problem
        env = self._find_env(
            body["project_uuid"], body.get("environment_uuid") or body["environment_name"]
        )
        assert env is not None
        uuid = self.new_uuid("db")
        if kind == "postgresql":
            url = f"postgres://{body['postgres_user']}:{body['postgres_password']}@{uuid}:5432/{body['postgres_db']}"
            listing = "postgresqls"
        else:
            url = f"redis://default:{body['redis_password']}@{uuid}:6379/0"
            listing = "redis"
        record = {"uuid": uuid, "name": body["name"], "image": body["image"],
                  "status": "running:healthy", "internal_db_url": url}  # fmt: skip
        self.databases[uuid] = record
        env[listing].append(record)
        return httpx.Response(201, json={"uuid": uuid, "internal_db_url": url})

    def get_database(self, _request: httpx.Request, uuid: str) -> httpx.Response:
        if uuid not in self.databases:
            return httpx.Response(404, json={"message": "Database not found."})
        return httpx.Response(200, json=self.databases[uuid])

    def create_app(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if (problem := self._unknown_keys(body, APP_KEYS)) is not None:
            return problem
        env = self._find_env(
            body["project_uuid"], body.get("environment_uuid") or body["environment_name"]
        )
        assert env is not None
        uuid = self.new_uuid("app")
        fields = _as_record({k: v for k, v in body.items()
                  if k not in ("project_uuid", "server_uuid", "environment_name",
                               "environment_uuid", "instant_deploy", "name")})  # fmt: skip
        app = self.add_app(uuid, name=body["name"], status="exited:unhealthy", fields=fields)
        env["applications"].append({"uuid": uuid, "name": app.name})
        return httpx.Response(201, json={"uuid": uuid, "domains": body.get("domains")})

    def patch_app(self, request: httpx.Request, uuid: str) -> httpx.Response:
        body = json.loads(request.content)
        if (problem := self._unknown_keys(body, APP_KEYS)) is not None:
            return problem
        self.apps[uuid].fields.update(_as_record(body))
        return httpx.Response(200, json={"uuid": uuid})

    def get_envs(self, _request: httpx.Request, uuid: str) -> httpx.Response:
        envs = [{"uuid": f"ev-{k}", "key": k, **v} for k, v in self.apps[uuid].envs.items()]
        return httpx.Response(200, json=envs)

    def bulk_envs(self, request: httpx.Request, uuid: str) -> httpx.Response:
        data = json.loads(request.content)["data"]
        for item in data:
            if (problem := self._unknown_keys(item, ENV_KEYS)) is not None:
                return problem
            self.apps[uuid].envs[item["key"]] = {k: v for k, v in item.items() if k != "key"}
        return self.get_envs(request, uuid)


def _as_record(body: dict[str, Any]) -> dict[str, Any]:
    """Body fields as the application record shows them: `domains` is stored as `fqdn`."""
    record = dict(body)
    if "domains" in record:
        record["fqdn"] = record.pop("domains")
    return record
