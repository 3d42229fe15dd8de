"""FastAPI dependencies: the container (the caller's identity is the chassis's ``CurrentUserId``).

``async def``: FastAPI runs a plain ``def`` dependency on its thread pool, a hand-off that cost
more than everything else these do, on every request."""

from typing import Annotated

from fastapi import Depends, Request

from accounts.bootstrap import Container
from chassis import client_address


async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_client_address(request: Request) -> str:
    """The caller's address: the gateway's X-Forwarded-For when the gateway is the peer."""
    container: Container = request.app.state.container
    return client_address(request, container.trusted_proxies)


ClientAddress = Annotated[str, Depends(get_client_address)]
