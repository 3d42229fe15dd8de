"""FastAPI dependencies that refuse a body sent in the wrong media type with a 415 problem.

``async def`` on purpose: FastAPI runs a plain ``def`` dependency on its thread pool."""

import json
from typing import Any

from fastapi import Request

from chassis.http.problems import ProblemError


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def json_body(request: Request) -> None:
    given = media_type(request)
    if given != "application/json" and not given.endswith("+json"):
        raise ProblemError(415, "Send the body as application/json.", slug="unsupported-media-type")
    # Ambiguous JSON is refused rather than letting the last of two equal keys win.
    try:
        json.loads(await request.body(), object_pairs_hook=_refuse_duplicates)
    except _DuplicateKeyError as error:
        raise ProblemError(400, str(error), slug="duplicate-json-key") from error
    except ValueError:
        pass  # malformed JSON: the framework's own 400 says so


class _DuplicateKeyError(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKeyError(f"The key {key!r} appears more than once in an object.")
        seen[key] = value
    return seen


async def form_body(request: Request) -> None:
    if media_type(request) not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise ProblemError(
            415,
            "Send the body as an application/x-www-form-urlencoded form.",
            slug="unsupported-media-type",
        )
