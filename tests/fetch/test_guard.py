"""The private-address rule: refused before any connection, for literals, names and hops."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest

from pricemon.config import Settings
from pricemon.errors import FetchError
from pricemon.fetch.guard import PinnedBackend, forbidden_reason
from pricemon.fetch.http import fetch_page
from tests.shop import LocalShop


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/", "refused: 10.0.0.1 is a private address"),
        ("http://127.0.0.1:8000/p", "refused: 127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local"),
        ("http://[::1]/", "refused: ::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "is a loopback address (embedded in an IPv6 address)"),
        ("http://0.0.0.0/", "refused: 0.0.0.0 is an unspecified address"),
        ("http://192.168.1.1/", "is a private address"),
        ("http://100.64.0.1/", "is a non-public address"),
        ("http://224.0.0.1/", "is a multicast address"),
        ("http://localhost:8000/", "refused: localhost (127.0.0.1) is a loopback address"),
        # Numeric spellings that inet_aton accepts (resolved locally, no DNS query).
        ("http://2130706433/", "refused: 2130706433 (127.0.0.1) is a loopback address"),
        ("http://0x7f.1/", "refused: 0x7f.1 (127.0.0.1) is a loopback address"),
        ("http://017700000001/", "(127.0.0.1) is a loopback address"),
        ("http://127.1/", "refused: 127.1 (127.0.0.1) is a loopback address"),
        ("file:///etc/passwd", "refused: file:///etc/passwd uses file; only http and https"),
        ("ftp://ftp.example.com/price.txt", "uses ftp; only http and https"),
        ("javascript:alert(1)", "uses javascript"),
        ("http:///nohost", "has no valid host"),
    ],
)
async def test_refused_before_connecting(strict_settings: Settings, url: str, message: str) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, settings=strict_settings)
    assert caught.value.kind == "refused"
    assert not caught.value.transient
    assert message in caught.value.message


async def test_private_hint_names_the_setting(strict_settings: Settings) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch_page("http://10.0.0.1/", settings=strict_settings)
    assert "PRICEMON_ALLOW_PRIVATE_URLS=1" in (caught.value.hint or "")


async def test_no_request_reaches_a_refused_address(
    shop: LocalShop, strict_settings: Settings
) -> None:
    url = shop.add("/p", "<html></html>")
    with pytest.raises(FetchError):
        await fetch_page(url, settings=strict_settings)
    assert shop.hits["/p"] == 0


async def test_allowed_when_the_setting_says_so(shop: LocalShop, fetch_settings: Settings) -> None:
    url = shop.add("/p", "<html><body>ok</body></html>")
    page = await fetch_page(url, settings=fetch_settings)
    assert page.status == 200


async def test_pinned_backend_refuses_at_connect_time() -> None:
    # The second line of defence: even a client that skipped the pre-check cannot connect.
    with pytest.raises(FetchError) as caught:
        await PinnedBackend(allow_private=False).connect_tcp("127.0.0.1", 9)
    assert caught.value.kind == "refused"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("::", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.215.14", True),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("240.0.0.1", False),
        ("255.255.255.255", False),
    ],
)
def test_address_table(address: str, public: bool) -> None:
    assert (forbidden_reason(ipaddress.ip_address(address)) is None) is public


@pytest.mark.parametrize(
    ("errno", "transient"), [(socket.EAI_NONAME, False), (socket.EAI_AGAIN, True)]
)
async def test_dns_failures(
    strict_settings: Settings, monkeypatch: pytest.MonkeyPatch, errno: int, transient: bool
) -> None:
    # The resolver is the third party here: answer as glibc does, without asking a server.
    async def failing_getaddrinfo(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(errno, "Name or service not known")

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "getaddrinfo", failing_getaddrinfo)
    with pytest.raises(FetchError) as caught:
        await fetch_page("https://no-such-shop.example/p/1", settings=strict_settings)
    assert caught.value.kind == "dns"
    assert caught.value.transient is transient
    assert "no-such-shop.example could not be resolved" in caught.value.message


async def test_a_name_with_one_private_address_is_refused(
    strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def mixed(host: str, port: int, **kwargs: object) -> list[object]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", mixed)
    with pytest.raises(FetchError) as caught:
        await fetch_page("https://rebind.example/p", settings=strict_settings)
    assert "refused: rebind.example (10.0.0.7) is a private address" in caught.value.message


async def test_dns_rebinding_is_caught_at_connect_time(
    shop: LocalShop, strict_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name answers a public address to the pre-check and the shop's 127.0.0.1 to the
    # connect: the pinned backend resolves again, checks, and refuses before connecting.
    shop.add("/p", "<html><body>internal</body></html>")
    port = int(shop.base_url.rsplit(":", 1)[1])
    answers = iter(["93.184.215.14", "127.0.0.1"])

    async def rebinding(host: str, port_: int, **kwargs: object) -> list[object]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port_))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebinding)
    with pytest.raises(FetchError) as caught:
        await fetch_page(f"http://rebind.example:{port}/p", settings=strict_settings)
    assert caught.value.message == "refused: rebind.example (127.0.0.1) is a loopback address"
    assert shop.hits["/p"] == 0


async def test_names_connect_to_the_address_that_was_checked(
    shop: LocalShop, fetch_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.add("/p", "<html><body>hello</body></html>")
    port = int(shop.base_url.rsplit(":", 1)[1])

    async def local(host: str, port_: int, **kwargs: object) -> list[object]:
        assert host == "shop.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", local)
    page = await fetch_page(f"http://shop.example:{port}/p", settings=fetch_settings)
    assert "hello" in page.html
    assert shop.hits["/p"] == 1


async def test_verdicts_are_cached_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from pricemon.fetch.guard import VerdictCache

    lookups: list[str] = []

    async def resolver(host: str, port: int, **kwargs: object) -> list[object]:
        lookups.append(host)
        address = "10.0.0.9" if host == "internal.example" else "93.184.215.14"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolver)
    cache = VerdictCache()
    for path in ("/a.js", "/b.css", "/c.json"):
        assert await cache.refusal(f"https://cdn.example{path}") is None
        refusal = await cache.refusal(f"https://internal.example{path}")
        assert refusal is not None and refusal.kind == "refused"
    assert await cache.refusal("data:text/plain,hi") is None  # never reaches the network
    assert await cache.refusal("ftp://files.example/a") is not None
    assert lookups == ["cdn.example", "internal.example"]
