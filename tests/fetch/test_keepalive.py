"""Keep-alive through the shared client: idle connections are reused, and one the shop
closed while idle is noticed before the next request (guard._PooledStream's readability
check), so the request goes out on a new connection instead of failing."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from pricemon.config import Settings
from pricemon.fetch.http import create_client, fetch_page
from tests.shop import product_page


class KeepAliveShop:
    """A raw HTTP/1.1 server on 127.0.0.1 that answers every request on a connection with
    keep-alive, and, when `close_after_response` is set, then closes that connection
    silently (no `Connection: close`), as servers do when their idle timeout is shorter
    than the client's."""

    def __init__(self, *, close_after_response: bool) -> None:
        self.close_after_response = close_after_response
        self.connections = 0
        self.requests = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._body = product_page("Kettle", "19.99").encode()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                _, buffer = buffer.split(b"\r\n\r\n", 1)
                self.requests += 1
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(self._body)}\r\nConnection: keep-alive\r\n\r\n"
                )
                conn.sendall(head.encode() + self._body)
                if self.close_after_response:
                    return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture(params=[False, True], ids=["kept-open", "closed-by-shop"])
def keepalive_shop(request: pytest.FixtureRequest) -> Iterator[KeepAliveShop]:
    shop = KeepAliveShop(close_after_response=request.param)
    yield shop
    shop.close()


async def test_pooled_connections(keepalive_shop: KeepAliveShop, fetch_settings: Settings) -> None:
    url = f"http://127.0.0.1:{keepalive_shop.port}/p/1"
    async with create_client(fetch_settings) as client:
        for _ in range(3):
            page = await fetch_page(url, settings=fetch_settings, client=client)
            assert '"price":"19.99"' in page.html
            # Idle long enough for the shop's close (if any) to reach this side: a close
            # that crosses the next request on the wire is a failure no client avoids.
            await asyncio.sleep(0.2)
    assert keepalive_shop.requests == 3
    expected = 3 if keepalive_shop.close_after_response else 1
    assert keepalive_shop.connections == expected
