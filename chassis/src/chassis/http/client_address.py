"""The address of the client a request speaks for: the peer's, or, when the peer is a trusted
proxy (the gateway), the address that proxy put in ``X-Forwarded-For``."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the gateway uses this module too, and loads no FastAPI
    from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(spec: str) -> tuple[Network, ...]:
    """``"127.0.0.1/32, ::1, 10.0.0.0/8"`` -> networks; a bad entry raises ``ValueError``."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def client_address(request: Request, trusted: Iterable[Network]) -> str:
    """The gateway replaces any ``X-Forwarded-For`` a client sent with the address it saw, so
    its last entry is the one to believe, and only when the gateway itself is the peer:
    anyone else could write any address there."""
    peer = request.client.host if request.client else ""
    forwarded = ", ".join(request.headers.getlist("x-forwarded-for"))  # every line of it
    return believed_address(peer, forwarded, trusted)


def believed_address(peer: str, forwarded_for: str, trusted: Iterable[Network]) -> str:
    """``peer``, or when ``peer`` is a trusted proxy, the last address of its
    ``X-Forwarded-For`` (the one that proxy wrote); ``peer`` again when that is no address."""
    if not _within(peer, trusted):
        return peer
    forwarded = forwarded_for.rsplit(",", maxsplit=1)[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return peer


def _within(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)
