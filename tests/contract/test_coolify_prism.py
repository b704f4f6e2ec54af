"""Contract test: our requests against Prism serving Coolify's real OpenAPI spec.

Prism (`tests/contract/package.json`, installed by `npm ci`) validates every request against
the spec (paths, query types, bodies, the bearer security scheme) and answers the spec's
examples. The spec's paths omit `/api/v1`, so the client runs with COOLIFY_API_PATH="".
Prism cannot catch what the spec does not say (unknown body keys, the real server's
quirks): the respx tests in tests/coolify cover those.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.embedded import free_port

HERE = Path(__file__).resolve().parent
PRISM = HERE / "node_modules/.bin/prism"
SPEC = HERE / "coolify-openapi.json"  # see README.md here for its origin
SPEC_SHA256 = "94741780dcae68803a7db94f4b7140a2042069db7385a33b95f6aa7c95726b4c"
TOKEN = "9|prism-contract-token"

pytestmark = pytest.mark.slow


@dataclass
class Prism:
    url: str
    log: Path
    offset: int = 0

    def mark(self) -> None:
        """Count violations only from here on (the server is shared by the module's tests)."""
        self.offset = self.log.stat().st_size

    def violations(self) -> list[str]:
        with self.log.open("rb") as stream:
            stream.seek(self.offset)
            lines = stream.read().decode(errors="replace").splitlines()
        return [line for line in lines if "✖" in line or "Violation" in line]


def test_spec_is_the_recorded_copy() -> None:
    assert hashlib.sha256(SPEC.read_bytes()).hexdigest() == SPEC_SHA256


@pytest.fixture(scope="module")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    if not PRISM.exists():
        pytest.fail("Prism is not installed: run `npm ci` in tests/contract (scripts/test does)")
    port = free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", str(SPEC), "-h", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prism did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield Prism(url=url, log=log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def contract_env(prism: Prism, monkeypatch: pytest.MonkeyPatch) -> Prism:
    monkeypatch.setenv("COOLIFY_LOCAL_URL", prism.url)
    monkeypatch.setenv("COOLIFY_API_PATH", "")
    monkeypatch.setenv("COOLIFY_LOCAL_API_TOKEN", TOKEN)
    monkeypatch.setenv("PRICEMON_IMAGE", "ghcr.io/acme/pricemon")
    # The spec's example answer to POST /deploy names one resource, "string": using it for
    # both applications lets the answer match what we asked for.
    monkeypatch.setenv("COOLIFY_LOCAL_WEB_UUID", "string")
    monkeypatch.setenv("COOLIFY_LOCAL_WORKER_UUID", "string")
    prism.mark()
    return prism


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert TOKEN not in result.output
    return result.exit_code, result.output


def test_redeploy_no_wait_is_valid_against_the_spec(contract_env: Prism) -> None:
    code, output = _invoke("redeploy", "local", "--no-wait")
    assert code == 0, output
    assert "web: queued deployment string" in output
    assert "worker: queued deployment string" in output
    assert contract_env.violations() == []


def test_redeploy_without_token_is_refused_by_the_spec(contract_env: Prism) -> None:
    """Sanity check that Prism really validates: a request it must refuse is refused."""
    response = httpx.post(f"{contract_env.url}/deploy", params={"uuid": "x"})
    assert response.status_code == 401
    assert contract_env.violations() != []


def test_provision_plan_is_valid_against_the_spec(contract_env: Prism) -> None:
    code, output = _invoke("coolify", "provision", "local")
    assert code == 0, output
    assert "+ create    project pricemon" in output
    # With the example project's name, the plan reads the project too.
    code, output = _invoke("coolify", "provision", "local", "--project", "string")
    assert code == 0, output
    assert "= unchanged project string" in output
    assert "+ create    environment production" in output
    assert contract_env.violations() == []
