"""How Chromium is started for the browser tier: its command line and resolver rules."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pricemon.config import Settings
from pricemon.errors import BrowserError

# Hosts Chrome talks to in the background (updates, safe browsing, sync, GCM, DoH probes).
# They are made unresolvable; every other name resolves normally, so shops still load (a
# "MAP * ~NOTFOUND" rule would break every page that is not on an excluded host).
BACKGROUND_HOSTS = (
    "clients1.google.com",
    "clients2.google.com",
    "clients4.google.com",
    "update.googleapis.com",
    "safebrowsing.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "android.clients.google.com",
    "mtalk.google.com",
    "accounts.google.com",
    "dns.google",
    "*.gvt1.com",
    "*.gvt2.com",
)


# Chromium honours only the last `--disable-features`, and Playwright passes its own: ours
# repeats Playwright's list (1.65, chromiumSwitches.ts) so that nothing of it is lost.
# tests/fetch/test_browser.py checks the launched command line still covers Playwright's.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
# New headless Chromium builds each window's omnibox popup (chrome://omnibox-popup.top-chrome)
# in advance: one `--top-chrome-webui` renderer of 20-55 MB per browser context, never shown.
# A spare renderer waits for the next new tab; the pool opens tabs only when it recycles.
DISABLED_FEATURES = (
    *PLAYWRIGHT_DISABLED_FEATURES,
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "WebUIOmniboxFullPopup",
    "SpareRendererForSitePerProcess",
)


def host_resolver_rules(settings: Settings) -> str:
    """`--host-resolver-rules`: PRICEMON_BROWSER_HOST_RULES, else the background-host rules."""
    if settings.browser_host_rules:
        return settings.browser_host_rules
    return ", ".join(f"MAP {host} ~NOTFOUND" for host in BACKGROUND_HOSTS)


def in_container() -> bool:
    return Path("/.dockerenv").exists() or Path("/run/.containerenv").exists()


def launch_args(settings: Settings) -> list[str]:
    """Chromium's command line. `--no-sandbox` as root (Chromium refuses to start otherwise)
    and in containers (Docker's default seccomp profile denies the sandbox's namespaces)."""
    args = [
        "--disable-gpu",
        "--disable-dev-shm-usage",  # /dev/shm is 64 MB in Docker: renderers would crash
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        # Like features, one --blink-settings counts: Playwright's (a mouse, for hover and
        # pointer media queries) and ours (no images).
        "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,"
        "availablePointerTypes=4,imagesEnabled=false",
        f"--disable-features={','.join(DISABLED_FEATURES)}",
        f"--host-resolver-rules={host_resolver_rules(settings)}",
    ]
    if os.geteuid() == 0 or in_container():
        args.append("--no-sandbox")
    return args


# Node sizes its young generation for servers (semi-spaces of up to 16 MB); Playwright's
# driver only relays protocol messages, and with 1 MB its PSS is about 28 MB lower for the
# same CPU (benchmarks/browser_tier.py).
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"


@contextmanager
def driver_node_options() -> Iterator[None]:
    """Start Playwright's Node driver inside this block: it copies os.environ when it is
    spawned, so NODE_OPTIONS is extended for that moment and restored afterwards."""
    before = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = (
        f"{before} {DRIVER_NODE_OPTIONS}" if before else DRIVER_NODE_OPTIONS
    )
    try:
        yield
    finally:
        if before is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = before


def executable_path(settings: Settings, playwright_executable: str) -> str | None:
    """None for Playwright's own Chromium (when installed), else PRICEMON_CHROMIUM_EXECUTABLE;
    a BrowserError saying what to install or set when neither exists."""
    if Path(playwright_executable).exists():
        return None
    configured = settings.chromium_executable
    if configured and Path(configured).exists():
        return configured
    if configured:
        raise BrowserError(
            f"Chromium not found: PRICEMON_CHROMIUM_EXECUTABLE={configured} does not exist",
            hint="point it at a Chromium binary (Debian: /usr/lib/chromium/chromium)",
        )
    raise BrowserError(
        "Chromium not found: Playwright's browser is not installed and "
        "PRICEMON_CHROMIUM_EXECUTABLE is not set",
        hint="run `playwright install chromium`, or install Chromium and set "
        "PRICEMON_CHROMIUM_EXECUTABLE=/usr/lib/chromium/chromium",
    )


def user_agent(browser_version: str) -> str:
    """Desktop Chrome's user agent for this Chromium version: headless Chromium says
    "HeadlessChrome" in its own, which bot walls look for."""
    major = browser_version.split(".", 1)[0]
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36"
    )
