"""Request and response bodies of the users API."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from accounts.domain.email_address import MAX_LENGTH as EMAIL_MAX_LENGTH
from accounts.domain.password import MAX_BYTES, MIN_BYTES

# What the domain checks, said in the document (and so in generated clients); the domain's own
# check stays the one that answers, with its own problem type. Surrounding whitespace is trimmed.
# What ``str.strip`` trims, written out: ECMAScript's ``\s`` differs (it takes U+FEFF, which
# Python keeps and the address then refuses).
_STRIPPED = r"[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_SCHEMA: JsonDict = {
    "format": "email",
    "pattern": rf"^{_STRIPPED}*{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_LABEL}{_STRIPPED}*$",
    "minLength": 3,
}
# Bytes are what bcrypt counts; a JSON Schema counts characters. The document allows 8 to 72
# characters (8 characters are at least 8 bytes), or 4 to 7 characters none of which is ASCII
# (each takes 2 bytes or more: "éééé" is 8). Every password it allows but one over 72 bytes is
# one the server accepts, so generated data passes; what it refuses that the server would take
# is only a short mix of widths such as "ab€€" (8 bytes in 4 characters). The description
# gives the rule itself, in bytes.
PASSWORD_SCHEMA: JsonDict = {
    "anyOf": [
        {"minLength": MIN_BYTES, "maxLength": MAX_BYTES},
        {"pattern": f"^[^\\x00-\\x7F]{{{MIN_BYTES // 2},{MIN_BYTES - 1}}}$"},
    ]
}
PASSWORD_RULE = (
    f"{MIN_BYTES} to {MAX_BYTES} bytes in UTF-8 (bcrypt's limit): characters for ASCII, "
    "fewer characters when some take two bytes or more (é: 2, €: 3)."
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterUserBody(_Body):
    email: str = Field(
        max_length=EMAIL_MAX_LENGTH, examples=["ada@example.com"], json_schema_extra=EMAIL_SCHEMA
    )
    password: str = Field(
        max_length=300,
        description=PASSWORD_RULE,
        examples=["correct horse"],
        json_schema_extra=PASSWORD_SCHEMA,
    )


class ChangeEmailBody(_Body):
    email: str = Field(
        max_length=EMAIL_MAX_LENGTH,
        examples=["ada.lovelace@example.com"],
        json_schema_extra=EMAIL_SCHEMA,
    )


class ChangePasswordBody(_Body):
    current_password: str = Field(max_length=300)
    new_password: str = Field(
        max_length=300,
        description=PASSWORD_RULE,
        examples=["a new secret"],
        json_schema_extra=PASSWORD_SCHEMA,
    )


class UserOut(BaseModel):
    id: UUID
    email: str


class UserProjectOut(BaseModel):
    id: UUID
    name: str


class MeOut(UserOut):
    projects: list[UserProjectOut]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires.")
