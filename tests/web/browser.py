"""Running the real thing for browser tests: `pricemon serve` and `pricemon work` as
subprocesses on 127.0.0.1, and Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from pricemon.embedded import free_port

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI containers
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--no-first-run",
    # Only local servers exist for these tests: no lookups for anything else.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def process_env(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRICEMON_", "COOLIFY_"))}
    if os.environ.get("PRICEMON_CHROMIUM_EXECUTABLE"):
        env["PRICEMON_CHROMIUM_EXECUTABLE"] = os.environ["PRICEMON_CHROMIUM_EXECUTABLE"]
    env.update(variables)
    return env


@contextmanager
def running(
    args: list[str], env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A `python -m pricemon ...` child process, terminated (then killed) at the end."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pricemon", *args], env=env, stdout=log, stderr=log
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log_path: Path, timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server not up after {timeout_s} s:\n{log_path.read_text()[-3000:]}")


@contextmanager
def web_server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`pricemon serve` on a free port; yields its base URL."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    with running(["serve", "--port", str(port)], env, log_path) as process:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/healthz", process, log_path)
        yield base


@contextmanager
def browser_page(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()
