"""The machine's own speed in Python: a bare FastAPI endpoint, run by the benchmark on one uvicorn
worker with the services' flags (``uvicorn bench.reference_app:create_app --factory``)."""

from __future__ import annotations

from fastapi import FastAPI

BODY = {"status": "ok"}


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return BODY

    return app
