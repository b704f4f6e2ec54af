"""Browser tier throughput and memory: pages per second and peak memory at concurrency 1 and 4.

    .venv/bin/python benchmarks/browser_tier.py [--pages 40] [--concurrency 1 4]

Serves product pages from a local shop on 127.0.0.1 (about 120 KB each, half with the price
in JSON-LD, half with the price written by JavaScript 300 ms after load), renders them with
one BrowserPool per concurrency level (after a warm-up fetch per slot), and samples the memory
of this process plus all its children (Playwright's driver, Chromium and its renderers) every
100 ms. RSS summed over processes counts shared pages several times, so PSS (each shared page
split between its sharers) is reported too; PSS is the honest figure, also given per kind
of process (median and peak). Goal: at least 4 pages/s at concurrency 4 on 2 cores, under
1 GB. `--pages 200 --concurrency 4` gives each slot its full `recycle_after` (50 pages), so
memory that grows with the pages a context has shown is seen too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pricemon.config import Settings
from pricemon.fetch.browser import BrowserPool
from tests.shop import LocalShop, product_page

FILLER = "".join(
    f'<div class="review"><p>Review {i}: works as described, would buy again.</p></div>'
    for i in range(1500)
)
JS_PAGE = """<!doctype html><html><head><title>Lamp {n}</title></head><body><main>
<h1>Lamp {n}</h1><div class="price" id="price"></div><button>Add to cart</button></main>
{filler}<script>setTimeout(function () {{
  document.getElementById('price').textContent = '${n}.99';
}}, 300);</script></body></html>"""


class MemorySampler(threading.Thread):
    """Peak RSS and PSS (MB) of this process tree, sampled every 100 ms, and the CPU time
    each process of the tree has used (kept per pid, so renderers that exit still count)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_rss_mb = 0.0
        self.peak_pss_mb = 0.0
        self.samples: list[dict[str, float]] = []  # PSS (MB) by kind, one dict per sample
        self.cpu_s: dict[int, float] = {}
        self.kinds: dict[int, str] = {}
        self.own_cpu_s = 0.0  # this sampling thread's CPU, not counted as the tier's
        self.stop = threading.Event()

    def cpu_total(self) -> float:
        """CPU seconds of the tree so far, read now: a sampling pass reads every process's
        smaps and can lag by a second under load (exited processes keep their last figure)."""
        me = psutil.Process()
        for process in [me, *me.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self.cpu_s[process.pid] = times.user + times.system
        return sum(self.cpu_s.values()) - self.own_cpu_s

    def cpu_by_kind(self, before: dict[int, float]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, cpu in self.cpu_s.items():
            kind = self.kinds.get(pid, "?")
            totals[kind] = totals.get(kind, 0.0) + cpu - before.get(pid, 0.0)
        totals["python"] = max(totals.get("python", 0.0) - self.own_cpu_s, 0.0)
        return totals

    def run(self) -> None:
        me = psutil.Process()
        while not self.stop.is_set():
            thread_started = time.thread_time()
            rss = pss = 0
            by_kind: dict[str, float] = {}
            for process in [me, *me.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                    times = process.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                self.cpu_s[process.pid] = times.user + times.system
                # Read each time: a process forked by Node or the zygote shows its parent's
                # command line until it has exec'd or renamed itself.
                kind = _kind(process, me)
                if kind != "?" or process.pid not in self.kinds:  # "?": it exited meanwhile
                    self.kinds[process.pid] = kind
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                kind = self.kinds[process.pid]
                by_kind[kind] = by_kind.get(kind, 0.0) + getattr(info, "pss", info.rss) / 2**20
            self.samples.append(by_kind)
            self.peak_rss_mb = max(self.peak_rss_mb, rss / 2**20)
            self.peak_pss_mb = max(self.peak_pss_mb, pss / 2**20)
            self.own_cpu_s += time.thread_time() - thread_started
            self.stop.wait(0.1)


def _kind(process: psutil.Process, me: psutil.Process) -> str:
    if process.pid == me.pid:
        return "python"
    try:
        args = process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "?"
    if not args:  # exiting: its command line is gone
        return "?"
    if "chrom" not in process.name():
        return "node driver"
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "browser")
    if "--top-chrome-webui" in args:
        kind += " (webui)"
    return f"chromium {kind}"


def pss_by_kind(samples: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """Median and peak PSS (MB) of each kind of process over the run's samples."""
    kinds = sorted({kind for sample in samples for kind in sample})
    result = {}
    for kind in kinds:
        values = sorted(sample.get(kind, 0.0) for sample in samples)
        result[kind] = (values[len(values) // 2], values[-1])
    return result


async def measure(settings: Settings, urls: list[str], concurrency: int) -> dict[str, Any]:
    sampler = MemorySampler()
    sampler.start()
    async with BrowserPool(settings, size=concurrency) as pool:
        await asyncio.gather(*(pool.fetch(urls[i]) for i in range(concurrency)))  # warm-up
        queue: asyncio.Queue[str] = asyncio.Queue()
        for url in urls:
            queue.put_nowait(url)

        async def worker() -> None:
            while not queue.empty():
                page = await pool.fetch(queue.get_nowait())
                assert ".99" in page.html, page.url

        await asyncio.sleep(0.2)  # let the sampler see the warmed-up tree
        cpu_before = sampler.cpu_total()
        per_pid_before = dict(sampler.cpu_s)
        first_sample = len(sampler.samples)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.2)
        cpu_used = sampler.cpu_total() - cpu_before
        by_kind = sampler.cpu_by_kind(per_pid_before)
    sampler.stop.set()
    sampler.join()
    return {
        "concurrency": concurrency,
        "pages": len(urls),
        "seconds": elapsed,
        "pages_per_s": len(urls) / elapsed,
        "peak_rss_mb": sampler.peak_rss_mb,
        "peak_pss_mb": sampler.peak_pss_mb,
        "cpu_ms_per_page": cpu_used * 1000 / len(urls),
        "cpu_ms_by_kind": {k: v * 1000 / len(urls) for k, v in sorted(by_kind.items())},
        "pss_by_kind": pss_by_kind(sampler.samples[first_sample:]),
        "median_pss_mb": sorted(sum(s.values()) for s in sampler.samples[first_sample:])[
            (len(sampler.samples) - first_sample) // 2
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    settings = Settings(
        allow_private_urls=True,
        chromium_executable=os.environ.get(
            "PRICEMON_CHROMIUM_EXECUTABLE", "/usr/lib/chromium/chromium"
        ),
        browser_host_rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    )
    with LocalShop() as shop:
        urls = []
        for n in range(args.pages):
            if n % 2:
                html = JS_PAGE.format(n=n, filler=FILLER)
            else:
                html = product_page(f"Kettle {n}", f"{n}.99", extra=FILLER)
            urls.append(shop.add(f"/p/{n}", html))
        rows = [asyncio.run(measure(settings, urls, c)) for c in args.concurrency]
    load = os.getloadavg()[0]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}, page size {len(FILLER) // 1024} KB"
    )
    cores = os.cpu_count() or 1
    print(
        "| concurrency | pages | pages/s | CPU per page | CPU-bound ceiling "
        f"({cores} cores) | median PSS | peak PSS | peak RSS (summed) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        ceiling = cores * 1000 / row["cpu_ms_per_page"]
        print(
            f"| {row['concurrency']} | {row['pages']} | {row['pages_per_s']:.1f} "
            f"| {row['cpu_ms_per_page']:.0f} ms | {ceiling:.1f} pages/s "
            f"| {row['median_pss_mb']:.0f} MB | {row['peak_pss_mb']:.0f} MB "
            f"| {row['peak_rss_mb']:.0f} MB |"
        )
    for row in rows:
        parts = ", ".join(f"{k} {v:.0f} ms" for k, v in row["cpu_ms_by_kind"].items())
        print(f"CPU per page at concurrency {row['concurrency']}: {parts}")
    for row in rows:
        parts = ", ".join(
            f"{kind} {median:.0f}/{peak:.0f}" for kind, (median, peak) in row["pss_by_kind"].items()
        )
        print(f"PSS in MB (median/peak) at concurrency {row['concurrency']}: {parts}")


if __name__ == "__main__":
    main()
