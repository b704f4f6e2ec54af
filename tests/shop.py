"""A local shop: an HTTP server on 127.0.0.1 that serves the pages a test gives it.

    with LocalShop() as shop:
        shop.add("/p/1", "<html>...</html>")
        shop.add("/slow", "...", delay_s=30)
        shop.add("/blocked", "Access denied", status=403)
        url = shop.url("/p/1")

Pages can be changed while the server runs (`shop.add` again), and `shop.hits` counts
requests per path.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class LocalShop:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm on, the body
            # waits for the ACK that the client delays by up to 40 ms on keep-alive
            # connections. Real shops' servers set TCP_NODELAY, and so does this one.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                shop.hits[path] += 1
                page = shop.pages.get(path)
                if page is None:
                    page = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
                if page.delay_s:
                    time.sleep(page.delay_s)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        delay_s: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Page(data, status, content_type, delay_s, headers or {})
        return self.url(path)

    def start(self) -> LocalShop:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalShop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def product_page(title: str, price: str, currency: str = "USD", *, extra: str = "") -> str:
    """A minimal product page with JSON-LD and a visible price, as most shops serve."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Product",
"name":"{title}","offers":{{"@type":"Offer","price":"{price}","priceCurrency":"{currency}",
"availability":"https://schema.org/InStock"}}}}</script></head>
<body><main><h1>{title}</h1><p class="price">{currency} {price}</p>
<button>Add to cart</button>{extra}</main></body></html>"""
