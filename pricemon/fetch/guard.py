"""Which addresses pricemon may fetch from, and a connection backend that enforces it.

A product URL is user input. Without a guard, `http://169.254.169.254/` (cloud metadata),
`http://127.0.0.1:6379/` (our own Redis) or a public name that resolves to a private address
would let anyone who can add a product read the internal network. The rule: only http and
https, and only public unicast addresses (checked after DNS resolution: if ANY address a name
resolves to is not public, the URL is refused), unless `PRICEMON_ALLOW_PRIVATE_URLS` is set.

DNS rebinding (a name that answers a public address to the check and a private one to the
connect) is closed for the HTTP tier by `PinnedBackend`: the httpcore network backend that
resolves the name itself, checks every address and then connects to the address it checked.
TLS still uses the original host name for SNI and certificate checks, because httpcore starts
TLS on the stream it gets from the backend with the request's host.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
from typing import Any
from urllib.parse import urlsplit

import httpcore

from pricemon.errors import FetchError

ALLOWED_SCHEMES = ("http", "https")
PRIVATE_HINT = (
    "pricemon only fetches public addresses; set PRICEMON_ALLOW_PRIVATE_URLS=1 "
    "to allow private ones (local test shops)"
)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched from ("a private address"...), or None when it is public.

    IPv6 addresses that embed an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, NAT64, 6to4) are
    judged by the embedded address, since that is where the packets end up.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = forbidden_reason(embedded)
            return f"{reason} (embedded in an IPv6 address)" if reason else None
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    )
    for attribute, reason in checks:
        if getattr(ip, attribute):
            return reason
    if not ip.is_global:  # e.g. 100.64.0.0/10 (carrier-grade NAT)
        return "a non-public address"
    return None


def parse_ip(host: str) -> IPAddress | None:
    """`host` as an IP address (brackets of an IPv6 literal allowed), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def split_target(url: str) -> tuple[str, int]:
    """Host and port of an http(s) URL, raising FetchError(kind="refused") for anything else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "no scheme"
        raise FetchError(
            f"refused: {url} uses {shown}; only http and https URLs can be checked",
            hint="give the product page's http:// or https:// address",
            kind="refused",
            url=url,
        )
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, or out of range
        host, port = None, None
    if not host:
        raise FetchError(
            f"refused: {url} has no valid host",
            hint="check the URL",
            kind="refused",
            url=url,
        )
    return host, port or (443 if scheme == "https" else 80)


def _refuse(url: str | None, host: str, ip: IPAddress, reason: str) -> FetchError:
    shown = host if str(ip) == host.strip("[]") else f"{host} ({ip})"
    return FetchError(f"refused: {shown} is {reason}", PRIVATE_HINT, kind="refused", url=url)


def _dns_error(host: str, url: str | None, error: socket.gaierror) -> FetchError:
    # A name that does not exist will not exist a few seconds later either: no retry within
    # this check (the next scheduled check tries again). Anything else (EAI_AGAIN, a resolver
    # that does not answer) is worth a retry.
    missing = error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
    return FetchError(
        f"dns: {host} could not be resolved ({error.strerror or error})",
        hint="check the host name in the URL" if missing else "the DNS resolver failed; retry",
        kind="dns",
        url=url,
        transient=not missing,
    )


async def resolve_checked(
    host: str, port: int, *, allow_private: bool, url: str | None = None
) -> list[str]:
    """The addresses `host` resolves to, after checking every one of them.

    Raises FetchError "refused" when any address is not public (unless `allow_private`),
    "dns" when the name cannot be resolved. Uses the event loop's getaddrinfo (a thread), so
    it does not block the loop.
    """
    literal = parse_ip(host)
    if literal is not None:
        reason = None if allow_private else forbidden_reason(literal)
        if reason:
            raise _refuse(url, host, literal, reason)
        return [str(literal)]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise _dns_error(host, url, error) from None
    except UnicodeError:
        raise FetchError(
            f"dns: {host} is not a valid host name", kind="dns", url=url, hint="check the URL"
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            reason = forbidden_reason(ip)
            if reason:
                raise _refuse(url, host, ip, reason)
    return addresses


async def check_url_allowed(url: str, *, allow_private: bool) -> list[str]:
    """Scheme and address check of one URL (every redirect hop goes through this)."""
    host, port = split_target(url)
    return await resolve_checked(host, port, allow_private=allow_private, url=url)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that connects only to addresses it has just checked (see module doc)."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, allow_private=self._allow_private)
        last_error: Exception | None = None
        for address in addresses:  # the first that accepts, like a plain connect would
            try:
                stream = await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return _PooledStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
        assert last_error is not None  # resolve_checked never returns an empty list
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by pricemon")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PooledStream(httpcore.AsyncNetworkStream):
    """AnyIO's stream with a cheaper "is_readable".

    Before every request, httpcore's pool asks each idle keep-alive connection whether its
    socket is readable (a server that closed it), and anyio answers by building a dict of
    attribute getters per call: with 32 connections that was a tenth of the worker's CPU.
    Here the raw socket is looked up once and polled directly.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
    ) -> httpcore.AsyncNetworkStream:
        return _PooledStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            fd = -1 if self._socket is None else self._socket.fileno()
            if fd < 0:  # closed: readable, as the next read would return b"" (httpcore's rule)
                return True
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        return self._inner.get_extra_info(info)


_IN_PAGE_SCHEMES = ("data:", "blob:", "about:")


class VerdictCache:
    """Remembers for `ttl_s` which hosts were refused, so that a page's hundred requests to
    one CDN cost one DNS lookup (the browser tier checks every request). Only "refused" and
    "allowed" are remembered; a DNS failure is left to the browser to report."""

    def __init__(self, *, ttl_s: float = 60.0, max_entries: int = 2048) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._verdicts: dict[tuple[str, int], tuple[float, FetchError | None]] = {}

    async def refusal(self, url: str) -> FetchError | None:
        """The FetchError(kind="refused") for `url`, or None when it may be requested.
        In-page schemes (data:, blob:, about:) never reach the network and pass."""
        if url.startswith(_IN_PAGE_SCHEMES):
            return None
        try:
            host, port = split_target(url)
        except FetchError as error:
            return error
        now = asyncio.get_running_loop().time()
        cached = self._verdicts.get((host, port))
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        try:
            await resolve_checked(host, port, allow_private=False, url=url)
            verdict = None
        except FetchError as error:
            if error.kind != "refused":
                return None
            verdict = error
        if len(self._verdicts) >= self._max_entries:
            self._verdicts.clear()
        self._verdicts[(host, port)] = (now, verdict)
        return verdict
