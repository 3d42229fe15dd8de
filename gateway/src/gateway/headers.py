"""Which headers cross the gateway: end-to-end ones do, hop-by-hop ones (RFC 9110 7.6.1) and
any a client could use to pass itself off as someone else do not."""

from multidict import CIMultiDict, CIMultiDictProxy

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}
)
# Proxy headers are set from the actual connection, never taken from the client; Expect is
# answered by the gateway's own server, so the service must not see it again.
NOT_FORWARDED_UPSTREAM = frozenset(
    {
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-forwarded-port",
        "x-forwarded-prefix",
        "x-real-ip",
        "x-request-id",
        "expect",
    }
)
NOT_FORWARDED_DOWNSTREAM = frozenset({"x-request-id"})


def end_to_end(headers: CIMultiDictProxy[str], drop: frozenset[str]) -> CIMultiDict[str]:
    """Copy of ``headers`` without hop-by-hop ones, those named in Connection, and ``drop``."""
    named = {
        token.strip().lower()
        for value in headers.getall("Connection", ())
        for token in value.split(",")
    }
    kept: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        lowered = name.lower()
        if (
            lowered in HOP_BY_HOP
            or lowered.startswith("proxy-")
            or lowered in named
            or lowered in drop
        ):
            continue
        kept.add(name, value)
    return kept


def upstream_headers(
    headers: CIMultiDictProxy[str],
    *,
    client_ip: str | None,
    scheme: str,
    request_id: str,
) -> CIMultiDict[str]:
    """What the service receives: the client's end-to-end headers (Host included, so absolute
    URLs the service builds point at the gateway) plus X-Forwarded-* from the connection."""
    forwarded = end_to_end(headers, NOT_FORWARDED_UPSTREAM)
    if client_ip:
        forwarded["X-Forwarded-For"] = client_ip
    forwarded["X-Forwarded-Proto"] = scheme
    host = headers.get("Host")
    if host:
        forwarded["X-Forwarded-Host"] = host
    forwarded["X-Request-ID"] = request_id
    return forwarded


def downstream_headers(headers: CIMultiDictProxy[str], *, request_id: str) -> CIMultiDict[str]:
    """What the client receives: the service's end-to-end headers and the request id."""
    returned = end_to_end(headers, NOT_FORWARDED_DOWNSTREAM)
    returned["X-Request-ID"] = request_id
    return returned
