"""Request and response bodies of the users API."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from accounts.domain.email_address import MAX_LENGTH as EMAIL_MAX_LENGTH


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterUserBody(_Body):
    email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["ada@example.com"])
    password: str = Field(
        max_length=300, description="8 to 72 bytes in UTF-8.", examples=["correct horse"]
    )


class ChangeEmailBody(_Body):
    email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["ada.lovelace@example.com"])


class ChangePasswordBody(_Body):
    current_password: str = Field(max_length=300)
    new_password: str = Field(max_length=300, description="8 to 72 bytes in UTF-8.")


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
