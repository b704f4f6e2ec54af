"""Chromium's command line."""

from __future__ import annotations

import pytest

from pricemon.config import Settings
from pricemon.fetch import chromium
from pricemon.fetch.chromium import host_resolver_rules, launch_args


def test_background_hosts_are_unresolvable_and_shops_are_not(tmp_path: object) -> None:
    rules = host_resolver_rules(Settings())
    assert "MAP update.googleapis.com ~NOTFOUND" in rules
    assert "MAP clients2.google.com ~NOTFOUND" in rules
    assert "MAP * " not in rules  # every other host still resolves


def test_the_setting_replaces_the_rules() -> None:
    settings = Settings(browser_host_rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    assert f"--host-resolver-rules={settings.browser_host_rules}" in launch_args(settings)


@pytest.mark.parametrize(
    ("uid", "container", "sandboxed"), [(0, False, False), (1000, True, False), (1000, False, True)]
)
def test_no_sandbox_as_root_or_in_a_container(
    monkeypatch: pytest.MonkeyPatch, uid: int, container: bool, sandboxed: bool
) -> None:
    monkeypatch.setattr(chromium.os, "geteuid", lambda: uid)
    monkeypatch.setattr(chromium, "in_container", lambda: container)
    args = launch_args(Settings())
    assert ("--no-sandbox" not in args) is sandboxed
    for flag in (
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ):
        assert flag in args
