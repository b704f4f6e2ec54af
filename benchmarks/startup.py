"""How long `pricemon --help` takes, and what importing the CLI drags in.

    .venv/bin/python benchmarks/startup.py [--runs 15] [--write docs/performance.md]

Runs `pricemon --help` (the console script of this venv) N times as a fresh process and
reports the median and spread of the wall time, next to a bare `python -c pass` for
reference: on a loaded machine both grow, the difference is what pricemon costs. Then
imports `pricemon.cli` in a fresh interpreter and lists which heavy libraries ended up in
sys.modules (none should: commands import them inside their functions). Exits 1 when one
did or the median CPU time (user + system, which a loaded machine inflates less than the
wall time) exceeds the budget. With --write it replaces the "## CLI start-up"
section of the given Markdown file with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BUDGET_S = 0.3
HEAVY = ("fastapi", "playwright", "openai", "sqlalchemy", "bullmq", "pydantic_settings", "rich")
ROOT = Path(__file__).resolve().parents[1]
SECTION = "## CLI start-up"


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_runs(args: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall times and CPU times (user + system) of `runs` fresh processes."""
    subprocess.run(args, env=env, capture_output=True, check=True)  # warm the caches
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _cpu_s(), time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu_s() - cpu)
    return walls, cpus


def heavy_imports(env: dict[str, str]) -> list[str]:
    """The HEAVY modules present in sys.modules after `import pricemon.cli`."""
    code = (
        "import json, sys; import pricemon.cli; "
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(out.stdout)
    return found


def measure(runs: int) -> dict[str, object]:
    env = dict(os.environ, DATABASE_URL="garbage")  # --help must not care
    # A normal install has its bytecode cached; with this set (some sandboxes and CI
    # images do) every start recompiles every module, which triples the time.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    pricemon = str(Path(sys.executable).parent / "pricemon")
    help_times, help_cpu = _time_runs([pricemon, "--help"], runs, env)
    bare_times, bare_cpu = _time_runs([sys.executable, "-c", "pass"], runs, env)
    typer_times, typer_cpu = _time_runs([sys.executable, "-c", "import typer"], runs, env)
    return {
        "runs": runs,
        "help_median_s": statistics.median(help_times),
        "help_cpu_median_s": statistics.median(help_cpu),
        "typer_cpu_median_s": statistics.median(typer_cpu),
        "python_cpu_median_s": statistics.median(bare_cpu),
        "help_min_s": min(help_times),
        "help_max_s": max(help_times),
        "python_median_s": statistics.median(bare_times),
        "typer_median_s": statistics.median(typer_times),
        "heavy_imports": heavy_imports(env),
        "load_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def as_markdown(result: dict[str, object]) -> str:
    heavy = ", ".join(result["heavy_imports"]) or "none"  # type: ignore[arg-type]
    rows = [
        ("`pricemon --help` (with `DATABASE_URL=garbage`)", "help"),
        ('`python -c "import typer"` (the floor for a Typer CLI)', "typer"),
        ("`python -c pass` (reference)", "python"),
    ]
    table = "\n".join(
        f"| {label} | {result[key + '_median_s']:.3f} s | {result[key + '_cpu_median_s']:.3f} s |"
        for label, key in rows
    )
    return f"""{SECTION}

Measured by `benchmarks/startup.py` ({result["runs"]} runs, a fresh process each;
{result["when"]}, Python {result["python"]}, {result["cpus"]} CPUs, load average
{result["load_1min"]:.1f}). The machine was shared with other work while measuring, so
compare the rows with each other rather than reading the absolute figures (CPU time suffers
less from the waiting than wall time): importing Typer alone is the floor a Typer CLI cannot
go under.

| what | wall time, median | CPU time (user + system), median |
|---|---|---|
{table}

`pricemon --help` spread: {result["help_min_s"]:.3f} s to {result["help_max_s"]:.3f} s.
Budget: {BUDGET_S} s (the script passes when the CPU-time median is within it).
Heavy libraries in `sys.modules` after `import pricemon.cli`: {heavy}
(checked: {", ".join(HEAVY)}).

Bytecode caching matters more than anything below: with `PYTHONDONTWRITEBYTECODE=1`
(set in the sandbox these figures come from) every start compiles Typer and click from
source, about 0.25 s more; the script unsets it so the first run caches bytecode as a normal
install does. Images should keep `.pyc` files (`uv sync --compile-bytecode`).

What keeps it fast: every command imports FastAPI, Playwright, openai, SQLAlchemy, BullMQ,
pydantic-settings and even `json` inside its function; `pricemon.__version__` is read
lazily; and the help is plain click help, because Typer's rich help imports rich.markdown,
rich.syntax and rich.traceback (about 0.5 s on this machine, found with
`python -X importtime -m pricemon --help`).
"""


def write_section(path: Path, section: str) -> None:
    """Replace the CLI start-up section of `path` (up to the next `## `), or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", type=Path, help="Markdown file to update")
    args = parser.parse_args()
    result = measure(args.runs)
    print(json.dumps(result, indent=2))
    if args.write:
        write_section(args.write, as_markdown(result))
    # Judged on CPU time: on a shared machine the wall time mostly measures the neighbours.
    ok = not result["heavy_imports"] and float(result["help_cpu_median_s"]) <= BUDGET_S  # type: ignore[arg-type]
    if not ok:
        print(f"over budget ({BUDGET_S} s) or heavy imports found", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
