"""Fixtures for the Coolify tests: a fake Coolify 4.3 (respx), a fake clock, CLI helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import respx

from pricemon.coolify import client as client_module
from pricemon.coolify import deploy as deploy_module
from tests.coolify.fake import BASE, TOKEN, FakeCoolify


@dataclass
class FakeClock:
    """Virtual time: `sleep` advances `now` instantly, and every sleep is recorded."""

    t: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(
        client_module,
        "DEFAULT_RETRY",
        client_module.RetryPolicy(sleep=fake.sleep, clock=fake.now),
    )
    monkeypatch.setattr(deploy_module, "DEFAULT_CLOCK", deploy_module.Clock(fake.now, fake.sleep))
    return fake


@pytest.fixture
def coolify(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCoolify]:
    """The fake server with a web and a worker application, configured as context `local`."""
    monkeypatch.setenv("COOLIFY_LOCAL_URL", BASE)
    monkeypatch.setenv("COOLIFY_LOCAL_API_TOKEN", TOKEN)
    monkeypatch.setenv("COOLIFY_LOCAL_WEB_UUID", "web0001")
    monkeypatch.setenv("COOLIFY_LOCAL_WORKER_UUID", "wrk0001")
    fake = FakeCoolify()
    fake.add_app("web0001", name="pricemon-web")
    fake.add_app("wrk0001", name="pricemon-worker")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake
