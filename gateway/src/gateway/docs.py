"""GET /api/docs (Swagger UI, its files served from the installed package, nothing from a
CDN) and GET /api/asyncapi.json (the event catalogue committed in `contracts`)."""

import base64
import hashlib
import importlib.util
from pathlib import Path
from typing import Any

from aiohttp import web

from contracts import load_asyncapi_document
from gateway import paths, security_headers
from gateway.problems import problem

_REQUIRED_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "oauth2-redirect.html")

START_SCRIPT = f"""
    window.ui = SwaggerUIBundle({{
      url: "{paths.OPENAPI}",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
      layout: "BaseLayout",
      oauth2RedirectUrl: window.location.origin + "{paths.DOCS_ASSETS}/oauth2-redirect.html",
      validatorUrl: null
    }});
"""

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Taskboard API</title>
  <link rel="stylesheet" href="{paths.DOCS_ASSETS}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{paths.DOCS_ASSETS}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{paths.DOCS_ASSETS}/swagger-ui-bundle.js"></script>
  <script>{START_SCRIPT}</script>
</body>
</html>
"""
# The page's one inline script is allowed by its hash, so no other inline script can run.
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(START_SCRIPT.encode()).digest()).decode()
DOCS_POLICY = security_headers.docs_policy(f"sha256-{_SCRIPT_HASH}")


def swagger_ui_assets() -> Path:
    """The static folder of the installed `swagger-ui-py` package (Swagger UI 5, which reads
    OpenAPI 3.1); found without importing the package, whose own code the gateway never uses."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    missing = [name for name in _REQUIRED_ASSETS if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"Swagger UI files missing from {folder}: {missing}")
    return folder


class SwaggerAssets:
    """Serves the Swagger UI files by name from a list made at start-up (no path handling,
    so nothing outside the folder can be asked for); an unknown name is a 404 problem."""

    def __init__(self, folder: Path) -> None:
        self._files = {path.name: path for path in folder.iterdir() if path.is_file()}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = self._files.get(request.match_info["name"])
        if path is None:
            return problem(404, "No such documentation asset.")
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


async def docs_page(_: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html")


class AsyncApiDocument:
    """Serves the AsyncAPI document from `contracts`, read once."""

    def __init__(self) -> None:
        self._document: dict[str, Any] = load_asyncapi_document()

    async def handle(self, _: web.Request) -> web.Response:
        return web.json_response(self._document)
