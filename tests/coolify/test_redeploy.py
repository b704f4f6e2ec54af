"""`pricemon redeploy` against a fake Coolify 4.3: requests sent, exit codes, output."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from tests.coolify.conftest import FakeClock
from tests.coolify.fake import TOKEN, FakeCoolify, deployment_logs


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    output = result.output  # stdout and stderr, interleaved
    assert TOKEN not in output
    assert TOKEN.split("|")[1] not in output
    return result.exit_code, output


def assert_api_request(request, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    assert request.method == method
    assert request.url.path == path
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"


def test_redeploy_wait_exits_0_after_both_deployments_finish(coolify: FakeCoolify) -> None:
    code, output = run("redeploy", "local")
    assert code == 0, output
    deploy = coolify.requests[0]
    assert_api_request(deploy, "POST", "/api/v1/deploy")
    assert dict(deploy.url.params) == {"uuid": "web0001,wrk0001"}  # no force=false
    assert deploy.content == b""
    polled = {r.url.path for r in coolify.requests[1:]}
    assert polled == {
        "/api/v1/deployments/dep0001",
        "/api/v1/deployments/dep0002",
        "/api/v1/applications/web0001",
        "/api/v1/applications/wrk0001",
    }
    for request in coolify.requests:
        assert_api_request(request, request.method, request.url.path)
    assert "✓ web: finished, running:healthy" in output
    assert "✓ worker: finished, running:healthy" in output


def test_force_is_sent_only_when_asked(coolify: FakeCoolify) -> None:
    code, output = run("redeploy", "local", "--only", "worker", "--force", "--no-wait")
    assert code == 0, output
    assert len(coolify.requests) == 1
    assert dict(coolify.requests[0].url.params) == {"uuid": "wrk0001", "force": "true"}
    assert "worker: queued deployment dep0001" in output


def test_failed_deployment_prints_its_log_and_exits_1(coolify: FakeCoolify) -> None:
    worker = coolify.apps["wrk0001"]
    worker.script = ["queued", "in_progress", "failed"]
    worker.logs = deployment_logs(
        "Pulling ghcr.io/x/pricemon:dev", "Error: manifest unknown", hidden=("secret internal",)
    )
    worker.status_after = "exited:unhealthy"
    code, output = run("redeploy", "local")
    assert code == 1
    assert "✓ web: finished" in output
    assert "✗ worker: failed" in output
    assert "| Error: manifest unknown" in output
    assert "secret internal" not in output


def test_cancelled_deployment_exits_1(coolify: FakeCoolify) -> None:
    coolify.apps["web0001"].script = ["queued", "cancelled-by-user"]
    code, output = run("redeploy", "local")
    assert code == 1
    assert "✗ web: cancelled-by-user" in output


def test_timeout_exits_1(coolify: FakeCoolify, clock: FakeClock) -> None:
    coolify.apps["web0001"].script = ["queued", "in_progress"]
    code, output = run("redeploy", "local", "--timeout", "60")
    assert code == 1
    assert "✗ web: timed-out after 6" in output
    assert sum(clock.sleeps) >= 60


def test_finished_but_not_running_shows_the_container_log(
    coolify: FakeCoolify, clock: FakeClock
) -> None:
    coolify.apps["web0001"].status_after = "exited:unhealthy"
    code, output = run("redeploy", "local")
    assert code == 1
    assert "✗ web: not running (exited:unhealthy)" in output
    assert "last lines of the application's container log (web0001):" in output
    assert "  | Traceback: pricemon serve crashed" in output
    assert "✓ worker: finished, running:healthy" in output
    logs = [r for r in coolify.requests if r.url.path.endswith("/logs")]
    assert [(r.url.path, dict(r.url.params)) for r in logs] == [
        ("/api/v1/applications/web0001/logs", {"lines": "30"})
    ]
    # Waited for the application to come up for a bounded time, not the whole --timeout.
    assert 120 <= sum(clock.sleeps) < 900


def test_json_output(coolify: FakeCoolify) -> None:
    code, output = run("redeploy", "local", "--json")
    assert code == 0
    data = json.loads(output)
    assert data["ok"] is True
    assert [d["role"] for d in data["deployments"]] == ["web", "worker"]
    web = data["deployments"][0]
    assert web["deployment_uuid"] == "dep0001"
    assert web["status"] == "finished"
    assert web["application_status"] == "running:healthy"
    assert web["elapsed_s"] >= 0


def test_wrong_token_is_one_clear_line(
    coolify: FakeCoolify, monkeypatch: pytest.MonkeyPatch
) -> None:
    coolify.token = "another-token"
    code, output = run("redeploy", "local")
    assert code == 1
    assert output.splitlines()[0] == (
        "Error: Coolify at coolify.test:8000 rejected the API token (401 Unauthenticated.)"
    )
    assert "COOLIFY_LOCAL_API_TOKEN" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (403, {"message": "Missing required permissions: deploy"}, "deploy"),
        (403, {"success": True, "message": "API is disabled."}, "API Access"),
        (
            403,
            {"success": True, "message": "You are not allowed to access the API."},
            "Allowed IPs",
        ),
        (400, {"message": "Invalid token."}, "team"),
    ],
)
def test_denials_are_errors_even_with_success_true(
    coolify: FakeCoolify, status: int, body: dict[str, object], expected: str
) -> None:
    coolify.deny = (status, body)
    code, output = run("redeploy", "local")
    assert code == 1
    assert output.startswith("Error: Coolify at coolify.test:8000 ")
    assert str(body["message"]) in output
    assert expected in output.splitlines()[1]


def test_unknown_uuid_is_404(coolify: FakeCoolify, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOLIFY_LOCAL_WEB_UUID", "nope")
    code, output = run("redeploy", "local")
    assert code == 1
    assert (
        "application not found on Coolify at coolify.test:8000 (404 No resources found.)" in output
    )


def test_429_retry_after_is_honoured(coolify: FakeCoolify, clock: FakeClock) -> None:
    coolify.rate_limit = [60]
    code, output = run("redeploy", "local", "--no-wait")
    assert code == 0, output
    assert clock.sleeps[0] == 60
    assert [r.url.path for r in coolify.requests] == ["/api/v1/deploy", "/api/v1/deploy"]


def test_429_beyond_the_budget_fails_clearly(coolify: FakeCoolify, clock: FakeClock) -> None:
    coolify.rate_limit = [3600]
    code, output = run("redeploy", "local", "--no-wait")
    assert code == 1
    assert "busy" in output.splitlines()[0]
    assert clock.sleeps == []


def test_5xx_is_retried_with_backoff(coolify: FakeCoolify, clock: FakeClock) -> None:
    coolify.fail_5xx = 3
    code, output = run("redeploy", "local", "--no-wait")
    assert code == 0, output
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_unreachable_host_is_one_clear_line(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pricemon.embedded import free_port

    monkeypatch.setenv("COOLIFY_LOCAL_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("COOLIFY_LOCAL_API_TOKEN", TOKEN)
    monkeypatch.setenv("COOLIFY_LOCAL_WEB_UUID", "web0001")
    monkeypatch.setenv("COOLIFY_LOCAL_WORKER_UUID", "wrk0001")
    code, output = run("redeploy", "local", "--no-wait")
    assert code == 1
    first = output.splitlines()[0]
    assert first.startswith("Error: cannot reach Coolify at 127.0.0.1:")
    assert "ConnectError" in first
    assert "Traceback" not in output
    assert 55 <= sum(clock.sleeps) <= 70  # bounded retrying, then give up


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("COOLIFY_LOCAL_URL", "COOLIFY_LOCAL_URL"),
        ("COOLIFY_LOCAL_API_TOKEN", "COOLIFY_LOCAL_API_TOKEN"),
        ("COOLIFY_LOCAL_WORKER_UUID", "COOLIFY_LOCAL_WORKER_UUID"),
    ],
)
def test_missing_configuration_exits_2_naming_the_variable(
    coolify: FakeCoolify, monkeypatch: pytest.MonkeyPatch, missing: str, variable: str
) -> None:
    monkeypatch.delenv(missing)
    code, output = run("redeploy", "local")
    assert code == 2
    assert output.splitlines() == [
        f"Error: {variable} is not set",
        f"Hint: set {variable} in the environment or in .env",
    ]
    assert coolify.requests == []


def test_settings_come_from_dotenv(coolify: FakeCoolify, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    monkeypatch.delenv("COOLIFY_LOCAL_API_TOKEN")
    Path(".env").write_text(f"COOLIFY_LOCAL_API_TOKEN={TOKEN}\n")
    code, output = run("redeploy", "local", "--no-wait")
    assert code == 0, output


def test_unknown_context_is_a_usage_error(coolify: FakeCoolify) -> None:
    code, _output = run("redeploy", "staging")
    assert code == 2
