"""`pricemon coolify provision` against a fake Coolify 4.3: plan, apply, idempotence."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.coolify.provision import WORKER_DOCKER_OPTIONS
from tests.coolify.fake import TOKEN, FakeCoolify


@pytest.fixture
def empty(coolify: FakeCoolify, monkeypatch: pytest.MonkeyPatch) -> FakeCoolify:
    """A fresh Coolify: one server, no projects, no applications; PRICEMON_IMAGE set."""
    monkeypatch.setenv("PRICEMON_IMAGE", "ghcr.io/acme/pricemon")
    coolify.apps.clear()
    return coolify


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert TOKEN not in result.output
    return result.exit_code, result.output


def writes(coolify: FakeCoolify) -> list[tuple[str, str, object]]:
    return [
        (r.method, r.url.path, json.loads(r.content) if r.content else dict(r.url.params))
        for r in coolify.requests
        if r.method != "GET"
    ]


def test_plan_on_an_empty_coolify_changes_nothing(empty: FakeCoolify) -> None:
    code, output = run("coolify", "provision", "local")
    assert code == 0, output
    assert writes(empty) == []
    assert [r.url.path for r in empty.requests] == ["/api/v1/servers", "/api/v1/projects"]
    for request in empty.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Accept"] == "application/json"
    assert "Plan (nothing changed; run with --apply):" in output
    for line in (
        "+ create    project pricemon",
        "+ create    environment production",
        "+ create    postgresql pricemon-postgres  (image postgres:15-alpine)",
        "+ create    redis pricemon-redis  (image redis:7-alpine)",
        "+ create    application pricemon-web  (ghcr.io/acme/pricemon:dev)",
        "+ create    application pricemon-worker  (ghcr.io/acme/pricemon:dev)",
    ):
        assert line in output
    assert "COOLIFY_LOCAL_WEB_UUID=<created by --apply>" in output


def test_apply_creates_the_stack_deploys_and_waits(empty: FakeCoolify) -> None:
    code, output = run("coolify", "provision", "local", "--apply", "--domain", "https://p.test")
    assert code == 0, output
    sent = writes(empty)
    assert sent[0] == ("POST", "/api/v1/projects", {"name": "pricemon"})
    method, path, pg = sent[1]
    assert (method, path) == ("POST", "/api/v1/databases/postgresql")
    assert isinstance(pg, dict)
    assert set(pg) == {
        "project_uuid", "server_uuid", "environment_name", "name", "image", "is_public",
        "instant_deploy", "postgres_user", "postgres_db", "postgres_password",
    }  # fmt: skip
    assert pg["image"] == "postgres:15-alpine"
    assert pg["environment_name"] == "production"
    assert pg["server_uuid"] == "srv0"
    assert sent[2][1] == "/api/v1/databases/redis"
    method, path, web = sent[3]
    assert (method, path) == ("POST", "/api/v1/applications/dockerimage")
    assert isinstance(web, dict)
    assert web["name"] == "pricemon-web"
    assert web["docker_registry_image_name"] == "ghcr.io/acme/pricemon"
    assert web["docker_registry_image_tag"] == "dev"
    assert web["health_check_path"] == "/healthz"
    assert web["domains"] == "https://p.test"
    assert web["instant_deploy"] is False
    web_uuid, worker_uuid = (app.uuid for app in empty.apps.values())
    method, path, envs = sent[4]
    assert (method, path) == ("PATCH", f"/api/v1/applications/{web_uuid}/envs/bulk")
    assert isinstance(envs, dict)
    by_key = {e["key"]: e for e in envs["data"]}
    pg_url = empty.databases[next(iter(empty.databases))]["internal_db_url"]
    assert by_key["DATABASE_URL"]["value"] == pg_url
    assert by_key["REDIS_URL"]["value"].startswith("redis://default:")
    assert by_key["ENABLE_SCHEDULER"]["value"] == "false"
    assert set(by_key["PORT"]) == {
        "key", "value", "is_preview", "is_literal", "is_multiline", "is_shown_once",
        "is_runtime", "is_buildtime",
    }  # fmt: skip
    method, path, worker = sent[5]
    assert isinstance(worker, dict)
    assert worker["custom_docker_run_options"] == WORKER_DOCKER_OPTIONS
    assert worker["health_check_enabled"] is False
    worker_envs = sent[6][2]
    assert isinstance(worker_envs, dict)
    assert {e["key"]: e["value"] for e in worker_envs["data"]}["ENABLE_SCHEDULER"] == "true"
    method, path, params = sent[7]
    assert (method, path) == ("POST", "/api/v1/deploy")
    assert params == {"uuid": f"{web_uuid},{worker_uuid}"}
    assert f"COOLIFY_LOCAL_WEB_UUID={web_uuid}" in output
    assert f"COOLIFY_LOCAL_WORKER_UUID={worker_uuid}" in output
    assert "✓ web: finished, running:healthy" in output
    # No secret value is printed: database passwords, URLs, the generated secret key.
    assert str(pg["postgres_password"]) not in output
    assert "PRICEMON_SECRET_KEY" in output
    assert by_key["PRICEMON_SECRET_KEY"]["value"] not in output


def test_second_apply_finds_nothing_to_change(empty: FakeCoolify) -> None:
    assert run("coolify", "provision", "local", "--apply")[0] == 0
    before = len(empty.requests)
    code, output = run("coolify", "provision", "local", "--apply")
    assert code == 0, output
    assert "Nothing to change." in output
    assert [r for r in empty.requests[before:] if r.method != "GET"] == []
    assert output.count("= unchanged") == 8


def test_plan_shows_updates_without_making_them(empty: FakeCoolify) -> None:
    assert run("coolify", "provision", "local", "--apply")[0] == 0
    before = len(empty.requests)
    code, output = run("coolify", "provision", "local", "--tag", "v2")
    assert code == 0, output
    assert [r for r in empty.requests[before:] if r.method != "GET"] == []
    assert (
        "~ update    application pricemon-web  (docker_registry_image_tag: 'dev' -> 'v2')" in output
    )
    code, output = run("coolify", "provision", "local", "--tag", "v2", "--apply", "--no-wait")
    assert code == 0, output
    patches = [w for w in writes(empty)[-4:] if w[0] == "PATCH"]
    assert [p[2] for p in patches] == [
        {"docker_registry_image_tag": "v2"},
        {"docker_registry_image_tag": "v2"},
    ]


def test_existing_project_gets_a_new_environment(empty: FakeCoolify) -> None:
    assert run("coolify", "provision", "local", "--apply")[0] == 0
    code, output = run("coolify", "provision", "local", "--environment", "staging", "--json")
    assert code == 0, output
    data = json.loads(output)
    changes = {(a["kind"], a["name"]): a["change"] for a in data["actions"]}
    assert changes[("project", "pricemon")] == "unchanged"
    assert changes[("environment", "staging")] == "create"
    assert data["applied"] is False


def test_several_servers_need_a_choice(empty: FakeCoolify) -> None:
    empty.servers = [{"uuid": "s1", "name": "one"}, {"uuid": "s2", "name": "two"}]
    code, output = run("coolify", "provision", "local")
    assert code == 2
    assert "Error: Coolify has no server named 'localhost' (servers: one, two)" in output
    code, output = run("coolify", "provision", "local", "--server", "two")
    assert code == 0, output


def test_validation_errors_are_one_clear_line(
    empty: FakeCoolify, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake refuses unknown keys like Coolify 4.3 does (Prism would not)."""
    import pricemon.coolify.provision as prov

    original = prov.app_settings

    def with_extra(spec: prov.StackSpec, *, worker: bool) -> dict[str, object]:
        return original(spec, worker=worker) | {"bogus": 1}

    monkeypatch.setattr(prov, "app_settings", with_extra)
    code, output = run("coolify", "provision", "local", "--apply")
    assert code == 1
    assert "rejected the request: bogus: This field is not allowed." in output


def test_image_is_required(empty: FakeCoolify, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRICEMON_IMAGE")
    code, output = run("coolify", "provision", "prod")
    assert code == 2
    assert output.splitlines() == [
        "Error: PRICEMON_IMAGE is not set",
        "Hint: set PRICEMON_IMAGE in the environment or in .env",
    ]
    assert empty.requests == []
    code, output = run("coolify", "provision", "prod", "--image", "ghcr.io/acme/pricemon")
    assert code == 2  # now COOLIFY_PROD_URL is the missing one
    assert output.startswith("Error: COOLIFY_PROD_URL is not set")


def test_database_urls_are_read_when_the_listing_omits_them(empty: FakeCoolify) -> None:
    assert run("coolify", "provision", "local", "--apply")[0] == 0
    empty.listing_has_urls = False
    before = len(empty.requests)
    code, output = run("coolify", "provision", "local")
    assert code == 0, output
    assert "Nothing to change." in output
    paths = [r.url.path for r in empty.requests[before:]]
    assert sum(p.startswith("/api/v1/databases/") for p in paths) == 2
