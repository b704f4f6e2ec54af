"""Seed a demo database and screenshot the dashboard pages (docs/images/dashboard.png).

    .venv/bin/python scripts/dashboard-screenshots.py OUT_DIR [light|dark]

Runs `pricemon serve` on a free port against a throwaway SQLite file with eight products and
sixty prices each, then saves dashboard, product, products and settings pages (and a phone-
sized dashboard) as PNG files. Talks only to 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlmodel import Session

from pricemon import db
from pricemon.embedded import free_port
from pricemon.models import CheckRun, PriceRecord, Product, utcnow

# name, url, base price, status, last change in percent (None: never checked)
ITEMS = [
    ("Breville Barista Express espresso machine", "https://shop-one.example/p/1", 599, "ok", -0.06),
    ("Sony WH-1000XM5 headphones", "https://audio.example/sony-wh1000xm5", 329, "ok", -0.12),
    ("LEGO Technic Porsche 911 GT3 RS", "https://toys.example/lego/42056", 379.99, "ok", 0.03),
    ("Kindle Paperwhite (16 GB)", "https://books.example/kindle", 169.99, "out_of_stock", 0.0),
    ("Fujifilm X100VI camera", "https://camera.example/x100vi", 1799, "failing", 0.0),
    ("Dyson V15 Detect vacuum", "https://home.example/dyson-v15", 649, "ok", -0.15),
    ("Nintendo Switch OLED", "https://games.example/switch-oled", 319.9, "blocked", 0.0),
    ("Moka pot, 6 cups", "https://kitchen.example/moka-6", 39.9, "pending", None),
]  # fmt: skip


def add_history(session: Session, product: Product, base: float, drift: float) -> None:
    now, price, last, previous = utcnow(), base, None, None
    for i in range(60):
        at = now - timedelta(hours=36 * (59 - i), minutes=random.randint(0, 50))  # noqa: S311
        if random.random() < 0.15:  # noqa: S311
            price = round(base * (1 + random.uniform(-0.12, 0.08)), 2)  # noqa: S311
        if i == 59 and drift:
            price = round(base * (1 + drift), 2)
        run = CheckRun(product_id=product.id, started_at=at, outcome="ok", method="json-ld")
        session.add(run)
        session.flush()
        amount = Decimal(str(price))
        session.add(
            PriceRecord(
                product_id=product.id, check_run_id=run.id, amount=amount, currency="EUR",
                availability="in_stock", method="json-ld", checked_at=at,
            )
        )  # fmt: skip
        previous, last = last, amount
    product.last_price, product.previous_price = last, previous
    product.last_checked_at = now - timedelta(minutes=random.randint(3, 200))  # noqa: S311
    if product.status == "failing":
        product.failing_since = now - timedelta(hours=9)
        product.last_error = "HTTP 503 from camera.example (service unavailable)"


def seed(url: str) -> None:
    random.seed(7)
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    with Session(engine) as session:
        for name, product_url, base, status, drift in ITEMS:
            product = Product(url=product_url, title=name, currency="EUR", status=status)
            session.add(product)
            session.flush()
            if drift is not None:
                add_history(session, product, base, drift)
        session.commit()
    engine.dispose()


def shoot(base: str, out: Path, theme: str) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("PRICEMON_CHROMIUM_EXECUTABLE", "/usr/lib/chromium/chromium")
    args = ["--no-sandbox", "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, color_scheme=theme)
        page = context.new_page()
        for path, name in [("/", "dashboard"), ("/products/1?range=90d", "product"),
                           ("/products", "products"), ("/settings", "settings")]:  # fmt: skip
            page.goto(base + path)
            page.screenshot(path=str(out / f"{name}-{theme}.png"), full_page=name != "dashboard")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/")
        page.screenshot(path=str(out / f"mobile-{theme}.png"))
        browser.close()


def main() -> None:
    out, theme = Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "light"
    data = Path(tempfile.mkdtemp(prefix="pricemon-shots-"))
    url = f"sqlite:///{data / 'demo.db'}"
    seed(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRICEMON_")}
    env.update(DATABASE_URL=url, REDIS_URL="redis://127.0.0.1:1/0", PRICEMON_DATA_DIR=str(data))
    command = [sys.executable, "-m", "pricemon", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        shoot(f"http://127.0.0.1:{port}", out, theme)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
