"""schemathesis hooks for test_api_fuzzing (loaded through ``SCHEMATHESIS_HOOKS``).

A client sends a new ``Idempotency-Key`` with each new request, as the document says; the
generator repeats short values ("0") with other bodies, which the API rightly answers 422
(key reused). Each key of a length the document allows is made unique (what schemathesis
itself suggests for values that must not repeat), so a generated request is judged on its
body; keys of a length the document refuses are left as generated.

A password change needs the caller's current password, which no generator guesses (401 every
time): where ``FUZZ_CURRENT_PASSWORD`` is set, a generated body gets it."""

import os
from typing import Any
from uuid import uuid4

import schemathesis

KEY = "Idempotency-Key"
KEY_LENGTH = 255


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    key = headers.get(KEY)
    if isinstance(key, str) and 1 <= len(key) <= KEY_LENGTH:
        headers[KEY] = uuid4().hex
    current = os.environ.get("FUZZ_CURRENT_PASSWORD")
    if current and isinstance(case.body, dict) and "current_password" in case.body:
        case.body["current_password"] = current
