"""Headers the edge puts on every answer, whoever made it: no MIME sniffing, no framing, a
Content-Security-Policy (a strict one for JSON, one that lets Swagger UI run on the docs),
and a Server header that names no software version."""

from collections.abc import MutableMapping

from aiohttp import web

from gateway import paths

SERVER = "taskboard-gateway"
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def docs_policy(script_hash: str) -> str:
    """Swagger UI's files from this origin only; its one inline start-up script by hash;
    inline styles (it sets style attributes) and data: images (its icons)."""
    return (
        "default-src 'none'; "
        f"script-src 'self' '{script_hash}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def apply(path: str, headers: MutableMapping[str, str], *, docs_csp: str) -> None:
    headers["Server"] = SERVER
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Referrer-Policy", "no-referrer")
    if path == paths.DOCS or path.startswith(paths.DOCS + "/"):
        headers["Content-Security-Policy"] = docs_csp
    else:
        headers.setdefault("Content-Security-Policy", API_POLICY)


def install(app: web.Application, *, docs_csp: str) -> None:
    """Adds them to every response of ``app`` just before its headers are sent."""

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        apply(request.path, response.headers, docs_csp=docs_csp)

    app.on_response_prepare.append(on_prepare)
