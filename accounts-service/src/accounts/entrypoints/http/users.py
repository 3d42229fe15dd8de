"""``/api/users``: register, log in, and the caller's own account."""

import hashlib
import json
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts.application.commands import (
    Authenticate,
    ChangePassword,
    ChangeUserEmailAddress,
    ConfirmRegistration,
    LogOut,
    RegisterUser,
)
from accounts.application.queries import GetUser
from accounts.application.query_handlers import get_user
from accounts.application.session_handlers import change_password, log_out
from accounts.application.user_handlers import (
    PreparedRegistration,
    authenticate,
    change_user_email_address,
    confirm_registration,
    prepare_registration,
    store_registration,
)
from accounts.domain.email_address import EmailAddress
from accounts.domain.errors import EmailAddressAlreadyTakenError
from accounts.entrypoints.http.dependencies import ClientAddress, ContainerDep
from accounts.entrypoints.http.schemas import (
    ChangeEmailBody,
    ChangePasswordBody,
    MeOut,
    RegisterUserBody,
    TokenOut,
    UserOut,
    UserProjectOut,
)
from chassis import (
    Created,
    CreateOnce,
    CurrentUserId,
    StoredResponse,
    form_body,
    json_body,
    post_creating,
    problem_responses,
    unless_disconnected,
)

router = APIRouter(prefix="/api/users", tags=["users"])

# 503 on every route: the database unreachable (with Retry-After).
REGISTER = problem_responses(400, 409, 415, 422, 429, 503)
LOGIN = problem_responses(401, 415, 422, 429, 503)
ME = problem_responses(401, 404, 503)
CHANGE_EMAIL = problem_responses(400, 401, 404, 409, 415, 422, 429, 503)
CHANGE_PASSWORD = problem_responses(400, 401, 404, 409, 415, 422, 429, 503)
LOGOUT = problem_responses(401, 404, 409, 503)


@post_creating(router, "", response_model=UserOut, responses=REGISTER)
async def register(
    request: Request,
    body: RegisterUserBody,
    client: ClientAddress,
    container: ContainerDep,
    once: CreateOnce,
) -> Response:
    # Everything slow or on connections of its own happens here, before the key's transaction:
    # that one holds a pooled connection throughout, so inside it a request must neither hash
    # nor wait for a second connection (with every connection so held, none would come).
    prepared: PreparedRegistration | EmailAddressAlreadyTakenError
    try:
        prepared = await unless_disconnected(
            request,
            prepare_registration(
                RegisterUser(email=body.email, password=body.password, client=client),
                container.uow(),
                container.hasher,
                throttle=container.throttle,
            ),
        )
    except EmailAddressAlreadyTakenError as error:
        if once.key is None:
            raise
        prepared = error  # unless a repeat of the registration that took it: the key tells

    async def created(connection: AsyncConnection | None) -> Created:
        if isinstance(prepared, EmailAddressAlreadyTakenError):
            raise prepared
        user = await store_registration(prepared, container.uow_in(connection))
        return UserOut(id=user.id, email=user.email.value), None

    async def same_password(first: StoredResponse) -> bool:
        confirm = ConfirmRegistration(
            user_id=UUID(json.loads(first.body)["id"]),
            email=body.email,
            password=body.password,
            client=client,
        )
        return await confirm_registration(
            confirm, container.uow(), container.hasher, throttle=container.throttle
        )

    # Anonymous: keys are scoped to the address being registered, so two clients that pick
    # the same key for two addresses do not meet. The stored fingerprint is a fast hash: it
    # covers the body without the password, which a repeat proves against the user's bcrypt
    # hash instead (same_password).
    return await once(
        caller=email_scope(body.email) if once.key is not None else "",
        create=created,
        fingerprint_of=body.model_dump_json(exclude={"password"}).encode(),
        replay_check=same_password,
    )


def email_scope(email: str) -> str:
    """The idempotency keys' scope of a registration: a digest of the address's key (what
    makes two addresses the same one). It keeps the address out of sight, not secret: an
    unsalted SHA-256 of a lower-cased address is found again by hashing a list of addresses,
    so whoever reads the table can tell which known addresses registered with a key (as the
    users table tells anyway). An invalid address answers 422 here, as it would without a
    key."""
    return hashlib.sha256(EmailAddress(email).key.encode()).hexdigest()


@router.post(
    "/login",
    response_model=TokenOut,
    dependencies=[Depends(form_body)],
    responses=LOGIN,
)
async def login(
    request: Request,
    # An empty field is a missing one to the form parser (422): the document says so.
    username: Annotated[
        str, Form(min_length=1, max_length=300, description="The account's email address")
    ],
    password: Annotated[str, Form(min_length=1, max_length=300)],
    client: ClientAddress,
    container: ContainerDep,
) -> TokenOut:
    token = await unless_disconnected(
        request,
        authenticate(
            Authenticate(email=username, password=password, client=client),
            container.uow(),
            container.hasher,
            container.tokens,
            throttle=container.throttle,
        ),
    )
    return TokenOut(access_token=token.token, expires_in=token.expires_in)


@router.get("/me", response_model=MeOut, responses=ME)
async def me(user_id: CurrentUserId, container: ContainerDep) -> MeOut:
    view = await get_user(GetUser(user_id=user_id), container.read_model)
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
    body: ChangeEmailBody, user_id: CurrentUserId, client: ClientAddress, container: ContainerDep
) -> UserOut:
    user = await change_user_email_address(
        ChangeUserEmailAddress(user_id=user_id, new_email=body.email, client=client),
        container.uow(),
        throttle=container.throttle,
    )
    return UserOut(id=user.id, email=user.email.value)


@router.put(
    "/me/password",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(json_body)],
    responses=CHANGE_PASSWORD,
)
async def put_password(
    body: ChangePasswordBody, user_id: CurrentUserId, container: ContainerDep
) -> Response:
    """Change the password; every token issued until now ends (this one too)."""
    await change_password(
        ChangePassword(
            user_id=user_id,
            current_password=body.current_password,
            new_password=body.new_password,
        ),
        container.uow(),
        container.hasher,
        throttle=container.throttle,
    )
    return Response(status_code=204)


@router.post("/logout", status_code=204, response_class=Response, responses=LOGOUT)
async def logout(user_id: CurrentUserId, container: ContainerDep) -> Response:
    """End every token of the caller issued until now, in every service."""
    await log_out(LogOut(user_id=user_id), container.uow())
    return Response(status_code=204)
