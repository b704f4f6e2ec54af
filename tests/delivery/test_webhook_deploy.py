"""Redeploy via Coolify webhooks (.github/scripts/coolify_webhook_deploy.py).

The script runs in GitHub Actions; here it runs as a process against a local server shaped like
Coolify 4.3's API (POST /api/v1/deploy, GET /api/v1/deployments/{uuid}), and the tests assert the
requests it sent and its exit status.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".github" / "scripts" / "coolify_webhook_deploy.py"
TOKEN = "3|test-token"


@dataclass
class FakeCoolify:
    """Answers like Coolify: each deploy queues one deployment whose states are played in order."""

    states: list[str] = field(default_factory=lambda: ["queued", "in_progress", "finished"])
    deploy_status: int = 200
    status_code: int = 200
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    polls: dict[str, int] = field(default_factory=dict)
    url: str = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, object]]:
        parts = urlsplit(handler.path)
        self.requests.append((handler.command, handler.path, handler.headers.get("Authorization")))
        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Unauthenticated."}
        if parts.path == "/api/v1/deploy":
            if handler.command != "POST":
                return 405, {"message": "This endpoint has changed to a POST request."}
            if self.deploy_status != 200:
                return self.deploy_status, {"message": "Missing required permissions: deploy"}
            uuid = parse_qs(parts.query)["uuid"][0]
            entry = {"message": "Application deployment queued.", "resource_uuid": uuid}
            return 200, {"deployments": [{**entry, "deployment_uuid": f"dep-{uuid}"}]}
        if parts.path.startswith("/api/v1/deployments/"):
            if self.status_code != 200:
                return self.status_code, {"message": "Missing required permissions: read"}
            uuid = parts.path.rsplit("/", 1)[1]
            seen = self.polls.get(uuid, 0)
            self.polls[uuid] = seen + 1
            return 200, {
                "deployment_uuid": uuid,
                "status": self.states[min(seen, len(self.states) - 1)],
            }
        return 404, {"message": "Not found."}


@pytest.fixture
def coolify() -> Iterator[FakeCoolify]:
    fake = FakeCoolify()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            status, body = fake.handle(self)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def run_script(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("COOLIFY_")}
    base.update({"COOLIFY_POLL_INTERVAL_S": "0.05", "COOLIFY_DEPLOY_TIMEOUT_S": "20", **env})
    return subprocess.run(
        [sys.executable, str(SCRIPT)], env=base, capture_output=True, text=True, timeout=60
    )


def hooks(fake: FakeCoolify, token: str = TOKEN) -> dict[str, str]:
    return {
        "COOLIFY_WEBHOOK_WEB_PROD": f"{fake.url}/api/v1/deploy?uuid=web123",
        "COOLIFY_WEBHOOK_WORKER_PROD": f"{fake.url}/api/v1/deploy?uuid=wrk456",
        "COOLIFY_WEBHOOK_TOKEN_PROD": token,
    }


def test_posts_both_webhooks_and_waits_for_finished(coolify: FakeCoolify) -> None:
    result = run_script(hooks(coolify))
    assert result.returncode == 0, result.stdout + result.stderr
    posts = [(m, p, a) for m, p, a in coolify.requests if m == "POST"]
    assert posts == [
        ("POST", "/api/v1/deploy?uuid=web123", f"Bearer {TOKEN}"),
        ("POST", "/api/v1/deploy?uuid=wrk456", f"Bearer {TOKEN}"),
    ]
    assert coolify.polls == {"dep-web123": 3, "dep-wrk456": 3}
    assert "web: deployment dep-web123: finished" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_failed_deployment_fails_the_job(coolify: FakeCoolify) -> None:
    coolify.states = ["queued", "in_progress", "failed"]
    result = run_script(hooks(coolify))
    assert result.returncode == 1
    assert "::error::web: deployment dep-web123 ended failed" in result.stdout


def test_wrong_token_fails_with_a_hint(coolify: FakeCoolify) -> None:
    result = run_script(hooks(coolify, token="wrong"))
    assert result.returncode == 1
    assert "::error::web: HTTP 401: Unauthenticated." in result.stdout
    assert "token is wrong or revoked" in result.stdout


def test_deploy_only_token_triggers_and_warns_it_cannot_follow(coolify: FakeCoolify) -> None:
    coolify.status_code = 403
    result = run_script(hooks(coolify))
    assert result.returncode == 0
    assert [m for m, _, _ in coolify.requests].count("POST") == 2
    assert "::warning::web: cannot follow deployment dep-web123 (HTTP 403)" in result.stdout


def test_missing_secrets_skip_with_a_notice() -> None:
    result = run_script({"COOLIFY_WEBHOOK_TOKEN_PROD": ""})
    assert result.returncode == 0
    assert result.stdout.startswith("::notice::")
