"""``/api/users``: register, log in, and the caller's own account."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form

from accounts.application.authenticate import authenticate
from accounts.application.change_user_email_address import change_user_email_address
from accounts.application.commands import Authenticate, ChangeUserEmailAddress, RegisterUser
from accounts.application.get_user import get_user
from accounts.application.register_user import register_user
from accounts.entrypoints.http.dependencies import ContainerDep, CurrentUserId, form_body, json_body
from accounts.entrypoints.http.schemas import (
    ChangeEmailBody,
    MeOut,
    RegisterUserBody,
    TokenOut,
    UserOut,
    UserProjectOut,
)

router = APIRouter(prefix="/api/users", tags=["users"])

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
# 503 on every route: the database unreachable (with Retry-After).
CHANGE_EMAIL: dict[int | str, dict[str, Any]] = dict.fromkeys(
    (400, 401, 404, 409, 415, 422, 503), PROBLEM
)


@router.post(
    "",
    status_code=201,
    response_model=UserOut,
    dependencies=[Depends(json_body)],
    responses={409: PROBLEM, 422: PROBLEM, 415: PROBLEM, 400: PROBLEM, 503: PROBLEM},
)
async def register(body: RegisterUserBody, container: ContainerDep) -> UserOut:
    user = await register_user(
        RegisterUser(email=body.email, password=body.password), container.uow(), container.hasher
    )
    return UserOut(id=user.id, email=user.email.value)


@router.post(
    "/login",
    response_model=TokenOut,
    dependencies=[Depends(form_body)],
    responses={401: PROBLEM, 415: PROBLEM, 422: PROBLEM, 503: PROBLEM},
)
async def login(
    username: Annotated[str, Form(max_length=300, description="The account's email address")],
    password: Annotated[str, Form(max_length=300)],
    container: ContainerDep,
) -> TokenOut:
    token = await authenticate(
        Authenticate(email=username, password=password),
        container.uow(),
        container.hasher,
        container.tokens,
    )
    return TokenOut(access_token=token.token, expires_in=token.expires_in)


@router.get("/me", response_model=MeOut, responses={401: PROBLEM, 404: PROBLEM, 503: PROBLEM})
async def me(user_id: CurrentUserId, container: ContainerDep) -> MeOut:
    view = await get_user(user_id, container.read_model)
    return MeOut(
        id=view.id,
        email=view.email,
        projects=[UserProjectOut(id=p.id, name=p.name) for p in view.projects],
    )


@router.put(
    "/me",
    response_model=UserOut,
    dependencies=[Depends(json_body)],
    responses=CHANGE_EMAIL,
)
async def change_email(
    body: ChangeEmailBody, user_id: CurrentUserId, container: ContainerDep
) -> UserOut:
    user = await change_user_email_address(
        ChangeUserEmailAddress(user_id=user_id, new_email=body.email), container.uow()
    )
    return UserOut(id=user.id, email=user.email.value)
