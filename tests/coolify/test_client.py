"""The Coolify client and deploy helpers: error mapping, secrecy, log parsing."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from pricemon.cli import app
from pricemon.coolify.client import CoolifyClient
from pricemon.coolify.deploy import deployment_log_lines, is_running
from pricemon.errors import CoolifyError
from tests.coolify.fake import BASE, TOKEN, FakeCoolify, deployment_logs


def test_token_is_in_no_repr_log_or_error(
    coolify: FakeCoolify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = CoolifyClient(BASE, SecretStr(TOKEN))
    shown = [repr(client), repr(client._http), repr(client._http.auth), str(client._http.headers)]
    coolify.token = "something-else"
    with pytest.raises(CoolifyError) as caught:
        client.get_json("/applications/web0001")
    shown += [str(caught.value), repr(caught.value), caught.value.hint or ""]
    result = CliRunner().invoke(app, ["redeploy", "local", "--json"])
    shown += [result.output, caplog.text]
    for text in shown:
        assert TOKEN not in text
    # ...but the server did receive it.
    assert coolify.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_get_deploy_405_is_explained(coolify: FakeCoolify) -> None:
    with CoolifyClient(BASE, SecretStr(TOKEN)) as client, pytest.raises(CoolifyError) as caught:
        client.request("GET", "/deploy", params={"uuid": "web0001"})
    assert caught.value.status_code == 405
    assert caught.value.message == "Coolify at coolify.test:8000 does not accept GET /api/v1/deploy"
    assert "4.2" in (caught.value.hint or "")


def test_version_is_plain_text(coolify: FakeCoolify) -> None:
    with CoolifyClient(BASE, SecretStr(TOKEN)) as client:
        assert client.health() == "OK"
        assert client.version() == "4.3.11"
    _health, version = coolify.requests
    assert "Authorization" in version.headers  # /version needs the token (read)
    assert "application/json" in version.headers["Accept"]


def test_a_running_deployment_is_followed_not_duplicated(coolify: FakeCoolify) -> None:
    with CoolifyClient(BASE, SecretStr(TOKEN)) as client:
        first = client.request("POST", "/deploy", params={"uuid": "web0001"}).json()
    code = CliRunner().invoke(app, ["redeploy", "local", "--only", "web"]).exit_code
    assert code == 0
    assert len(coolify.deployments) == 1
    assert first["deployments"][0]["deployment_uuid"] == "dep0001"


def test_request_bodies_are_json_objects_with_content_type(coolify: FakeCoolify) -> None:
    with CoolifyClient(BASE, SecretStr(TOKEN)) as client:
        client.send_json("POST", "/projects", {"name": "pricemon"})
    request = coolify.requests[-1]
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"name": "pricemon"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [("running:healthy", True), ("running:unknown", True), ("exited:unhealthy", False),
     ("degraded:unhealthy", False), ("", False), (None, False)],
)  # fmt: skip
def test_is_running(status: str | None, expected: bool) -> None:
    assert is_running(status) is expected


def test_deployment_log_lines_skip_hidden_entries_and_keep_the_last() -> None:
    logs = deployment_logs("one", "two\nthree", hidden=("docker inspect secret",))
    assert deployment_log_lines({"logs": logs}) == ["one", "two", "three"]
    assert deployment_log_lines({"logs": logs}, last=2) == ["two", "three"]
    assert deployment_log_lines({"logs": None}) == []  # no read:sensitive ability
    assert deployment_log_lines({"logs": "plain text\nlines"}) == ["plain text", "lines"]


def test_5xx_after_the_retry_budget_names_the_host(coolify: FakeCoolify) -> None:
    coolify.fail_5xx = 1000
    with CoolifyClient(BASE, SecretStr(TOKEN)) as client, pytest.raises(CoolifyError) as caught:
        client.get_json("/applications/web0001")
    assert caught.value.message == (
        "Coolify at coolify.test:8000 answered 502 to GET /api/v1/applications/web0001: "
        "Server Error"
    )


def test_transport_errors_are_not_httpx_exceptions(clock: object) -> None:
    from pricemon.embedded import free_port

    client = CoolifyClient(f"http://127.0.0.1:{free_port()}", SecretStr(TOKEN))
    with pytest.raises(CoolifyError) as caught:
        client.health()
    assert not isinstance(caught.value, httpx.HTTPError)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_a_post_that_may_have_run_is_not_sent_twice(coolify: FakeCoolify) -> None:
    """500 on a create: it may have happened, and Coolify allows duplicate project names."""
    coolify.fail_5xx = 1
    coolify.fail_status = 500
    with CoolifyClient(BASE, SecretStr(TOKEN)) as client, pytest.raises(CoolifyError) as caught:
        client.send_json("POST", "/projects", {"name": "pricemon"})
    assert caught.value.status_code == 500
    assert len(coolify.requests) == 1
    assert coolify.projects == {}
