"""Where a feed added at run time may point: public http(s) addresses only.

Feeds written in ``feeds.yaml`` are the operator's and are trusted as they are. A feed an
editor adds from chat could otherwise make Hotline fetch from inside its own network (a
cloud metadata service, an admin page on localhost), so its URL must be http(s) and every
address its host resolves to must be public, unless ``polling.allow_private`` says otherwise.
The check runs when the feed is added and again before every poll of it (a name may
resolve elsewhere later). ``address_problem`` is pure; ``url_problem`` resolves names with
the resolver passed in.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

__all__ = ["Resolver", "address_problem", "system_resolver", "url_problem"]

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Resolves a host name to IP addresses."""


def address_problem(address: str) -> str | None:
    """Why ``address`` (an IP) is not a public address, or ``None`` when it is."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    for bad, what in checks:
        if bad:
            return f"{ip} is {what}"
    return None


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The addresses the system resolver gives for ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def url_problem(
    url: str, *, allow_private: bool, resolve: Resolver = system_resolver
) -> str | None:
    """Why a feed added at run time may not use ``url``, or ``None`` when it may."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        return f"{url!r} is not a usable URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "a feed added from chat must be an http or https URL"
    host = parts.hostname
    if not host:
        return f"{url!r} has no host"
    if allow_private:
        return None
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        ipaddress.ip_address(host)
        addresses: Sequence[str] = [host]
    except ValueError:
        try:
            addresses = await resolve(host, port)
        except OSError as exc:
            return f"cannot resolve {host}: {exc.strerror or exc}"
    if not addresses:
        return f"{host} resolves to no address"
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            return (
                f"{host} resolves to {problem}; feeds added from chat must be public "
                "(polling.allow_private in feeds.yaml allows private ones)"
                if address != host
                else f"{problem}; feeds added from chat must be public "
                "(polling.allow_private in feeds.yaml allows private ones)"
            )
    return None
