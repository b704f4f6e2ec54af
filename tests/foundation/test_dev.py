"""`pricemon dev` end to end: a real run on embedded defaults, in a subprocess.

Starts it on a free port with a fresh PRICEMON_DATA_DIR, waits for the dashboard's /healthz,
stops it with SIGINT (Ctrl-C) and checks that no process it started is left; runs it again
to see the data survive, and kills a child to see the supervisor stop the rest. (Two runs
only: each cold start of serve and work takes tens of seconds on a loaded machine.)
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from pricemon.embedded import free_port

pytestmark = pytest.mark.slow

PRICEMON = str(Path(sys.executable).parent / "pricemon")
READY_TIMEOUT_S = 240.0  # two cold Python processes importing FastAPI and BullMQ
READY_LINE = re.compile(r"^pricemon is running: (http://\S+) ")
CHILD_LINE = re.compile(r"started (.+) \(pid (\d+)\)")


class DevRun:
    """`pricemon dev` as a subprocess, its output collected line by line."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [PRICEMON, "dev", "--port", str(self.port)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self) -> str:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = READY_LINE.match(line)
                if match:
                    return match.group(1)
            if self.process.poll() is not None:
                self._reader.join(5)
                pytest.fail(f"pricemon dev exited {self.process.returncode}:\n{self.output}")
            time.sleep(0.2)
        pytest.fail(f"pricemon dev was not ready in {READY_TIMEOUT_S} s:\n{self.output}")

    def children(self) -> dict[str, int]:
        return {m.group(1): int(m.group(2)) for m in map(CHILD_LINE.search, self.lines) if m}

    def stop(self, signum: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(90)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(5)
        return code


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pids: list[int], timeout_s: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(_running(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _running(p)]


@pytest.fixture
def dev_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)  # the autouse fixture removed DATABASE_URL, REDIS_URL...
    env["PRICEMON_DATA_DIR"] = str(tmp_path / "data")
    return env


def _cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PRICEMON, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_dev_runs_stops_keeps_data_and_supervises(tmp_path: Path, dev_env: dict[str, str]) -> None:
    run = DevRun(tmp_path, dev_env)
    try:
        url = run.wait_ready()
        assert url == f"http://127.0.0.1:{run.port}/"
        assert httpx.get(url + "healthz", timeout=30).status_code == 200
        children = run.children()
        assert set(children) == {"redis-server", "pricemon serve", "pricemon work"}
        # Port 9 on 127.0.0.1: nothing listens, so a first check sends no traffic anywhere.
        added = _cli(tmp_path, dev_env, "products", "add", "http://127.0.0.1:9/kettle")
        assert added.returncode == 0, added.stderr
        # Another terminal without REDIS_URL finds the dev stack's Redis (data_dir/redis/url).
        marker = tmp_path / "data" / "redis" / "url"
        assert marker.read_text().startswith("redis://127.0.0.1:")
        assert "First check queued for 1 product(s)." in added.stderr
    finally:
        code = run.stop(signal.SIGINT)
    assert code == 0, run.output
    assert run.lines[-1] == "Stopped (SIGINT)."
    assert _wait_gone(list(children.values())) == []
    assert (tmp_path / "data" / "pricemon.db").is_file()
    assert (tmp_path / "data" / "redis").is_dir()
    assert not marker.exists()  # removed on the way out

    # A marker left by a killed run must not stop the next run from starting its own Redis.
    marker.write_text("redis://127.0.0.1:9/0\n")

    # Second run: the data is still there. Then a child dies: the supervisor stops the rest.
    again = DevRun(tmp_path, dev_env)
    try:
        again.wait_ready()
        listed = _cli(tmp_path, dev_env, "products", "list", "--json")
        assert [p["url"] for p in json.loads(listed.stdout)] == ["http://127.0.0.1:9/kettle"]
        second_children = again.children()
        os.kill(second_children["pricemon serve"], signal.SIGKILL)
        code = again.process.wait(90)
    finally:
        again.stop()
    assert code == 1, again.output
    assert "Error: pricemon serve exited with status -9; stopped the rest" in again.lines
    assert _wait_gone(list(second_children.values())) == []
