"""`pricemon doctor`: every check against real parts (and fakes for third parties)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.config import Environment, Settings
from pricemon.doctor import mask
from tests.doctor.conftest import AI_KEY, RESEND_KEY, SECRETS, Fakes


def doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor", *args])
    for secret in SECRETS:
        assert secret not in result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def line(output: str, name: str) -> str:
    for text in output.splitlines():
        if text[2:24].rstrip() == name:
            return text
    raise AssertionError(f"no line for {name!r} in:\n{output}")


@pytest.mark.slow
def test_healthy_environment_passes_every_check(healthy_env: Settings, fakes: Fakes) -> None:
    code, output = doctor()
    assert code == 0, output
    names = ["settings", "database", "migrations", "redis", "queues", "workers", "scheduler",
             "chromium", "ai", "email", "coolify local", "coolify local web",
             "coolify local worker"]  # fmt: skip
    for name in names:
        assert line(output, name).startswith("✓"), output
    assert "Redis 7" in line(output, "redis") or "Redis 6" in line(output, "redis")
    assert "1 alive" in line(output, "workers")
    assert "pricemon-checks: 1 waiting" in line(output, "queues")
    assert "registered and matching the database" in line(output, "scheduler")
    assert "OPENAI_API_KEY=…wxyz: key accepted" in line(output, "ai")
    assert "re_…a1b2" in line(output, "email")
    assert "example.com (verified)" in line(output, "email")
    assert "Coolify 4.3.11" in line(output, "coolify local")
    assert "running:healthy" in line(output, "coolify local web")
    # The requests sent to third parties: read-only, authenticated, nothing else.
    assert fakes.ai.requests == [("GET", "/v1/models", f"Bearer {AI_KEY}")]
    sent = [(r.method, str(r.url), r.headers.get("Authorization")) for r, _ in fakes.router.calls]
    assert ("GET", "http://resend.test/domains", f"Bearer {RESEND_KEY}") in sent
    for request, _ in fakes.router.calls:
        assert request.method == "GET"
    coolify_paths = [r.url.path for r in fakes.coolify.requests]
    assert coolify_paths == [
        "/api/v1/health", "/api/v1/version", "/api/v1/applications/web0001",
        "/api/v1/applications/wrk0001",
    ]  # fmt: skip


@pytest.mark.slow
def test_offline_json_contacts_no_third_party(healthy_env: Settings, fakes: Fakes) -> None:
    code, output = doctor("--offline", "--json")
    assert code == 0, output
    assert fakes.router.calls.call_count == 0
    assert fakes.ai.requests == []
    assert fakes.coolify.requests == []
    data = json.loads(output)
    assert data["ok"] is True
    by_name = {c["name"]: c for c in data["checks"]}
    assert set(by_name["email"]) == {"name", "status", "detail", "hint"}
    assert by_name["database"]["status"] == "ok"
    assert by_name["ai"]["status"] == "skip"
    assert by_name["ai"]["detail"].endswith("key not tried (--offline)")
    assert by_name["coolify local"] == {
        "name": "coolify local", "status": "skip", "detail": "not contacted (--offline)",
        "hint": None,
    }  # fmt: skip


@pytest.mark.slow
def test_rejected_keys_fail_with_hints(healthy_env: Settings, fakes: Fakes) -> None:
    fakes.ai.key = "sk-other"
    fakes.resend_key = "re_other"
    fakes.coolify.token = "other"
    code, output = doctor()
    assert code == 1
    assert line(output, "ai").startswith("✗ ai")
    assert "rejected the key (401)" in line(output, "ai")
    assert "check OPENAI_API_KEY" in output
    assert "Resend rejected RESEND_API_KEY=re_…a1b2 (401 API key is invalid)" in line(
        output, "email"
    )
    assert "rejected the API token (401 Unauthenticated.)" in line(output, "coolify local")
    assert line(output, "database").startswith("✓")


def test_broken_settings_is_the_only_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-number")
    code, output = doctor()
    assert code == 1
    assert output.splitlines()[0].startswith("✗ settings              PORT is invalid")
    assert "database" not in output


@pytest.mark.slow
def test_unreachable_redis_and_empty_database(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pricemon.embedded import free_port

    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path) + "/empty.db")
    monkeypatch.setenv("REDIS_URL", f"redis://:hunter2@127.0.0.1:{free_port()}/0")
    code, output = doctor("--offline")
    assert code == 1
    assert line(output, "migrations").startswith("✗")
    assert "pricemon db push" in output
    redis = line(output, "redis")
    assert redis.startswith(
        "✗ redis                 cannot reach Redis at REDIS_URL (redis://:***@127.0.0.1:"
    )
    assert "hunter2" not in output
    assert line(output, "queues").startswith("- ")
    assert line(output, "scheduler") == (
        "- scheduler             cannot run: needs migrations and redis (see above)"
    )


def test_workers_missing_warns_in_development_fails_in_production(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pricemon.doctor import Status
    from pricemon.doctor.local import check_redis_all

    checks = {c.name: c for c in check_redis_all(settings)}
    assert checks["workers"].status is Status.WARN
    assert checks["queues"].status is Status.WARN  # nothing queued yet
    production = settings.model_copy(update={"env": Environment.PRODUCTION})
    checks = {c.name: c for c in check_redis_all(production)}
    assert checks["workers"].status is Status.FAIL
    assert "pricemon work" in (checks["workers"].hint or "")


def test_scheduler_not_registered_fails(settings: Settings, engine: object) -> None:
    from pricemon.db import session_scope
    from pricemon.digest_settings import update_schedule
    from pricemon.doctor import Status
    from pricemon.doctor.local import check_scheduler

    with session_scope(engine) as session:  # type: ignore[arg-type]
        update_schedule(session, settings, enabled=True, frequency="daily", hour=9, minute=0)
    check = check_scheduler(settings)
    assert check.status is Status.FAIL
    assert "no worker has registered it" in check.detail


def test_missing_coolify_uuid_names_the_variable(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from pricemon.doctor import Status
    from pricemon.doctor.remote import check_coolify
    from tests.coolify.fake import BASE, TOKEN

    monkeypatch.setenv("COOLIFY_PROD_URL", BASE)
    monkeypatch.setenv("COOLIFY_PROD_API_TOKEN", TOKEN)
    monkeypatch.setenv("COOLIFY_PROD_WEB_UUID", "web0001")
    checks = check_coolify(Settings(), "prod", offline=False)
    assert [c.status for c in checks] == [Status.OK, Status.OK, Status.FAIL]
    assert checks[2].detail == "COOLIFY_PROD_WORKER_UUID is not set"


def test_stopped_application_fails(fakes: Fakes, monkeypatch: pytest.MonkeyPatch) -> None:
    from pricemon.doctor import Status
    from pricemon.doctor.remote import check_coolify
    from tests.coolify.fake import BASE, TOKEN

    fakes.coolify.apps["wrk0001"].status = "exited:unhealthy"
    for name, value in (("URL", BASE), ("API_TOKEN", TOKEN), ("WEB_UUID", "web0001"),
                        ("WORKER_UUID", "wrk0001")):  # fmt: skip
        monkeypatch.setenv(f"COOLIFY_LOCAL_{name}", value)
    checks = check_coolify(Settings(), "local", offline=False)
    assert checks[2].status is Status.FAIL
    assert checks[2].detail == "application wrk0001: exited:unhealthy"
    assert "pricemon redeploy local --only worker" in (checks[2].hint or "")


@pytest.mark.parametrize(
    ("secret", "shown"),
    [("re_123456789_a1b2", "re_…a1b2"), ("sk-proj-abcdefghijkl", "…ijkl"), ("short", "…rt"),
     (None, "(not set)")],
)  # fmt: skip
def test_mask(secret: str | None, shown: str) -> None:
    assert mask(secret) == shown
