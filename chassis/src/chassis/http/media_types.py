"""FastAPI dependencies that refuse a body sent in the wrong media type with a 415 problem.

``async def`` on purpose: FastAPI runs a plain ``def`` dependency on its thread pool."""

from fastapi import Request

from chassis.http.problems import ProblemError


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def json_body(request: Request) -> None:
    given = media_type(request)
    if given != "application/json" and not given.endswith("+json"):
        raise ProblemError(415, "Send the body as application/json.", slug="unsupported-media-type")


async def form_body(request: Request) -> None:
    if media_type(request) not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        raise ProblemError(
            415,
            "Send the body as an application/x-www-form-urlencoded form.",
            slug="unsupported-media-type",
        )
