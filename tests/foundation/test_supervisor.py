"""The process supervision under `pricemon dev`, with real child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pricemon.devstack import Supervisor, check_port_free
from pricemon.embedded import pid_alive
from pricemon.errors import InputError

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(120)",
]


def _wait_for(condition: Callable[[], object], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_stop_all_terminates_every_child() -> None:
    supervisor = Supervisor(stop_timeout_s=20)
    first = supervisor.start("one", SLEEPER, dict(os.environ))
    second = supervisor.start("two", SLEEPER, dict(os.environ))
    assert supervisor.exited() is None
    supervisor.stop_all()
    assert first.process.returncode == -signal.SIGTERM
    assert second.process.returncode == -signal.SIGTERM
    assert not pid_alive(first.pid) and not pid_alive(second.pid)
    assert supervisor.children == []


def test_services_stop_after_the_applications(tmp_path: Path) -> None:
    """Redis (a service) must outlive the worker's graceful shutdown."""
    marker = tmp_path / "service-alive-at-app-exit"
    service = Supervisor()
    redis_like = service.start("service", SLEEPER, dict(os.environ), service=True)
    app_code = (
        "import os, signal, sys, time\n"
        "def bye(*_):\n"
        "    time.sleep(0.5)\n"
        f"    stat = open('/proc/{redis_like.pid}/stat').read()\n"
        "    alive = stat.rsplit(')', 1)[1].split()[0] != 'Z'\n"
        f"    open({str(marker)!r}, 'w').write(str(alive))\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        "time.sleep(120)"
    )
    app = service.start("app", [sys.executable, "-c", app_code], dict(os.environ))
    time.sleep(1)  # let it install its SIGTERM handler (a precondition, not an assertion)
    service.stop_all()
    assert app.process.returncode == 0
    assert marker.read_text() == "True"
    assert redis_like.process.returncode == -signal.SIGTERM


def test_a_child_ignoring_sigterm_is_killed_after_the_bound() -> None:
    supervisor = Supervisor(stop_timeout_s=1)
    child = supervisor.start("stubborn", STUBBORN, dict(os.environ))
    time.sleep(1)  # let it install its SIGTERM handler (not an assertion, a precondition)
    supervisor.stop_all()
    assert child.process.returncode == -signal.SIGKILL


def test_exited_reports_the_dead_child() -> None:
    supervisor = Supervisor()
    supervisor.start("alive", SLEEPER, dict(os.environ))
    dying = supervisor.start("dying", [sys.executable, "-c", "raise SystemExit(3)"], {})
    _wait_for(lambda: supervisor.exited() is not None)
    assert supervisor.exited() is dying
    assert dying.process.returncode == 3
    supervisor.stop_all()


def test_children_own_session() -> None:
    """A terminal's Ctrl-C reaches the supervisor only, which then stops them in order."""
    supervisor = Supervisor()
    child = supervisor.start("one", SLEEPER, dict(os.environ))
    try:
        assert os.getsid(child.pid) == child.pid
        assert os.getpgid(child.pid) != os.getpgid(0)
    finally:
        supervisor.stop_all()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_with_a_killed_supervisor(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pricemon.devstack import Supervisor
        child = Supervisor().start("sleeper", {SLEEPER!r}, dict(os.environ))
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(120)
        """
    )
    supervisor = subprocess.Popen([sys.executable, "-c", script])
    try:
        _wait_for(lambda: pid_file.exists() and pid_file.read_text())
        child_pid = int(pid_file.read_text())
        assert pid_alive(child_pid)
        supervisor.kill()  # SIGKILL: no chance to clean up
        supervisor.wait()
        _wait_for(lambda: not _running(child_pid))
    finally:
        if supervisor.poll() is None:
            supervisor.kill()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its (new) parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_port_in_use_is_refused() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(InputError) as caught:
            check_port_free("127.0.0.1", port)
    assert caught.value.message == f"cannot listen on 127.0.0.1:{port}: Address already in use"


def test_second_ctrl_c_kills_at_once() -> None:
    script = textwrap.dedent(
        f"""
        import os, time
        from pricemon.devstack import Supervisor, _StopRequested
        supervisor = Supervisor(stop_timeout_s=600)
        child = supervisor.start("stubborn", {STUBBORN!r}, dict(os.environ))
        with _StopRequested(impatient=supervisor.kill_all) as stop:
            while stop.signal_name is None:
                time.sleep(0.05)
            print("stopping", flush=True)
            supervisor.stop_all()
        print("returncode", child.process.returncode, flush=True)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        assert process.stdout.readline() == "ready\n"  # the child ignores SIGTERM from now on
        process.send_signal(signal.SIGINT)
        assert process.stdout.readline() == "stopping\n"
        process.send_signal(signal.SIGINT)  # impatient: without it the wait would be 600 s
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert out == f"returncode {-signal.SIGKILL}\n"
    assert process.returncode == 0
