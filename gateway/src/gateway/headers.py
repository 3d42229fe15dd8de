"""Which headers cross the gateway. Towards a service only an allowlist of end-to-end request
headers passes, plus proxy headers the gateway sets itself; towards the client everything
end-to-end the service sent, except what the edge decides (CORS) and hop-by-hop headers
(RFC 9110 7.6.1)."""

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"}
)
# What an API client legitimately sends. Anything else (True-Client-IP, X-Original-URL,
# X-Rewrite-URL, X-Forwarded-*, Forwarded, ...) could make a service or a framework believe
# something about the request that the gateway never checked, so it stays at the edge.
FORWARDED_REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "authorization",
        "cache-control",
        "content-encoding",
        "content-language",
        "content-length",
        "content-type",
        "cookie",
        "idempotency-key",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "origin",
        "pragma",
        "range",
        "referer",
        "user-agent",
        # W3C trace context, so a traced client's trace continues in the services.
        "traceparent",
        "tracestate",
        "baggage",
    }
)
NOT_FORWARDED_DOWNSTREAM = frozenset({"x-request-id", "server"})


def _connection_named(headers: CIMultiDictProxy[str]) -> set[str]:
    return {
        token.strip().lower()
        for value in headers.getall("Connection", ())
        for token in value.split(",")
    }


def upstream_headers(
    headers: CIMultiDictProxy[str],
    *,
    client_ip: str | None,
    scheme: str,
    request_id: str,
    public_origin: str | None,
) -> CIMultiDict[str]:
    """What the service receives: the allowed headers of the client, X-Forwarded-For/Proto
    from the connection, and Host from the configured public origin (else the service's own
    address): never a host the client chose, so no URL a service builds can carry one."""
    named = _connection_named(headers)
    forwarded: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in FORWARDED_REQUEST_HEADERS and lowered not in named:
            forwarded.add(name, value)
    if client_ip:
        forwarded["X-Forwarded-For"] = client_ip
    if public_origin is not None:
        public = URL(public_origin)
        forwarded["Host"] = _host_header(public)
        forwarded["X-Forwarded-Host"] = _host_header(public)
        forwarded["X-Forwarded-Proto"] = public.scheme
    else:
        forwarded["X-Forwarded-Proto"] = scheme
    forwarded["X-Request-ID"] = request_id
    return forwarded


def downstream_headers(
    headers: CIMultiDictProxy[str], *, request_id: str, replica: str
) -> CIMultiDict[str]:
    """What the client receives: the service's end-to-end headers (no CORS headers of its
    own: the edge decides those), the request id, and a Location that pointed at the
    replica's own address made relative, so no internal address leaves the gateway."""
    named = _connection_named(headers)
    returned: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        lowered = name.lower()
        if (
            lowered in HOP_BY_HOP
            or lowered.startswith(("proxy-", "access-control-"))
            or lowered in named
            or lowered in NOT_FORWARDED_DOWNSTREAM
        ):
            continue
        returned.add(
            name, _relative_if_internal(value, replica) if lowered == "location" else value
        )
    returned["X-Request-ID"] = request_id
    return returned


def _host_header(url: URL) -> str:
    return url.raw_authority


def _relative_if_internal(location: str, replica: str) -> str:
    if location.startswith(replica + "/") or location == replica:
        return location[len(replica) :] or "/"
    return location
