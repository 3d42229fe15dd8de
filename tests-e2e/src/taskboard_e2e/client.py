"""A tiny async client of the public API (through the gateway), for the seeder and the tests."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx


class ApiError(Exception):
    """The API answered with an error; carries the problem+json body."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.problem: dict[str, Any] = _json_or_text(response)
        request = response.request
        super().__init__(f"{request.method} {request.url.path} -> {self.status}: {self.problem}")


class TaskboardClient:
    """``async with TaskboardClient(base_url) as api: await api.register(...)``.

    Log in once and the client sends the bearer token on every later call."""

    def __init__(self, base_url: str, *, timeout: float = 10.0, token: str | None = None) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.token = token

    async def __aenter__(self) -> TaskboardClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.http.aclose()

    def as_user(self, token: str) -> TaskboardClient:
        """Another client on the same connection pool, speaking for another user."""
        other = TaskboardClient.__new__(TaskboardClient)
        other.http, other.token = self.http, token
        return other

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ApiError(response)
        return response.json() if response.content else None

    # accounts
    async def register(self, email: str, password: str) -> dict[str, Any]:
        return await self.call("POST", "/api/users", json={"email": email, "password": password})  # type: ignore[no-any-return]

    async def login(self, email: str, password: str) -> str:
        body = await self.call(
            "POST", "/api/users/login", data={"username": email, "password": password}
        )
        self.token = body["access_token"]
        return self.token

    async def logout(self) -> None:
        await self.call("POST", "/api/users/logout")

    async def change_password(self, current: str, new: str) -> None:
        body = {"current_password": current, "new_password": new}
        await self.call("PUT", "/api/users/me/password", json=body)

    async def me(self) -> dict[str, Any]:
        return await self.call("GET", "/api/users/me")  # type: ignore[no-any-return]

    async def change_email(self, email: str) -> dict[str, Any]:
        return await self.call("PUT", "/api/users/me", json={"email": email})  # type: ignore[no-any-return]

    # projects
    async def create_project(self, name: str, limit: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if limit is not None:
            body["maximum_number_of_incomplete_tasks"] = limit
        return await self.call("POST", "/api/projects", json=body)  # type: ignore[no-any-return]

    async def projects(self, **params: int) -> dict[str, Any]:
        return await self.call("GET", "/api/projects", params=params)  # type: ignore[no-any-return]

    async def project(self, project_id: str) -> dict[str, Any]:
        return await self.call("GET", f"/api/projects/{project_id}")  # type: ignore[no-any-return]

    async def update_project(self, project_id: str, **body: Any) -> dict[str, Any]:
        return await self.call("PUT", f"/api/projects/{project_id}", json=body)  # type: ignore[no-any-return]

    async def archive(self, project_id: str) -> dict[str, Any]:
        return await self.call("PUT", f"/api/projects/{project_id}/archive")  # type: ignore[no-any-return]

    async def unarchive(self, project_id: str) -> dict[str, Any]:
        return await self.call("PUT", f"/api/projects/{project_id}/unarchive")  # type: ignore[no-any-return]

    async def delete_project(self, project_id: str) -> None:
        await self.call("DELETE", f"/api/projects/{project_id}")

    async def create_task(self, project_id: str, name: str) -> dict[str, Any]:
        return await self.call("POST", f"/api/projects/{project_id}/tasks", json={"name": name})  # type: ignore[no-any-return]

    async def tasks(self, project_id: str) -> list[dict[str, Any]]:
        return (await self.call("GET", f"/api/projects/{project_id}/tasks"))["tasks"]  # type: ignore[no-any-return]

    async def complete(self, project_id: str, number: int) -> dict[str, Any]:
        return await self.call("PUT", f"/api/projects/{project_id}/tasks/{number}/complete")  # type: ignore[no-any-return]

    async def incomplete(self, project_id: str, number: int) -> dict[str, Any]:
        return await self.call("PUT", f"/api/projects/{project_id}/tasks/{number}/incomplete")  # type: ignore[no-any-return]


def _json_or_text(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text}
    return body if isinstance(body, dict) else {"detail": body}
