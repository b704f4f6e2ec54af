"""`pricemon --help` in a fresh process: works in a broken environment, imports nothing heavy.

Correctness only; the time it takes is measured by benchmarks/startup.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PRICEMON = str(Path(sys.executable).parent / "pricemon")
GROUPS = (
    "serve",
    "work",
    "dev",
    "check",
    "db",
    "doctor",
    "redeploy",
    "schedule",
    "digest",
    "products",
    "coolify",
)


def test_help_with_a_broken_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("this line is not a setting\n", encoding="utf-8")
    env = dict(os.environ, DATABASE_URL="garbage", PORT="not-a-port")
    result = subprocess.run(
        [PRICEMON, "--help"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")}
    assert set(GROUPS) <= listed


def test_version() -> None:
    result = subprocess.run([PRICEMON, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("pricemon ")


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = (
        "import json, sys; import pricemon.cli; "
        "print(json.dumps([m for m in ('fastapi', 'playwright', 'openai') if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == []


def test_every_foundation_command_has_help() -> None:
    """sqlite-utils style: a command without help text is a documentation bug."""
    import typer.main

    from pricemon.cli import app

    root = typer.main.get_command(app)
    assert isinstance(root, typer.main.TyperGroup)
    for group_name in ("products", "db"):
        group = root.commands[group_name]
        assert isinstance(group, typer.main.TyperGroup) and group.help
        for name, command in group.commands.items():
            assert command.help, f"pricemon {group_name} {name} has no help"
            for param in command.params:
                if param.param_type_name == "option" and param.name != "help":
                    assert getattr(param, "help", None), f"{group_name} {name} --{param.name}"
    dev = root.commands["dev"]
    assert dev.help and all(getattr(p, "help", None) for p in dev.params)
