"""The concurrent load of the replica-fault test: users who register, log in, create projects and
tasks, rename and delete projects and read them back, all through the gateway. Every call is
recorded with its start and end, so a failure can be set against the moment of the kill."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "correct horse battery"
USERS = 220
WORKERS = 12  # concurrent users; with three task creations at once, below the gateway's 64
KILL_AFTER = 60  # users done when the replicas are killed
KILL_GATE = 100  # users from this one on start only after the kill
RESTART_AFTER = 130  # users done when the killed replicas are started again
RESTART_GATE = 160  # users from this one on start only once both are back
LIMITED = 2  # project A's limit; three tasks are created on it at once
PROBLEM_TYPE = "urn:taskboard:problem:"  # the gateway's problem types, then the slug


@dataclass
class Call:
    method: str
    route: str
    started: float
    ended: float
    status: int  # 0: no answer (transport error)
    request_id: str  # sent as X-Request-ID: the gateway's log lines name it
    detail: str = ""

    @property
    def read(self) -> bool:
        return self.method == "GET"


@dataclass
class Project:
    id: str
    limit: int | None
    names: list[str]  # the acknowledged names, oldest first
    unsure_names: list[str] = field(default_factory=list)  # renames that failed after the last
    deleted: bool = False
    unsure: bool = False  # its deletion failed: it may or may not be gone
    deletion: str | None = None  # the request id of its DELETE
    tasks_created: int = 0
    tasks_unknown: int = 0  # creations that failed in flight

    def possible_names(self) -> set[str]:
        return {self.names[-1], *self.unsure_names}


@dataclass
class Account:
    email: str
    registered: bool | None = None  # None: the registration failed in flight
    token: str | None = None
    projects: dict[str, Project] = field(default_factory=dict)


@dataclass
class Outcome:
    calls: list[Call] = field(default_factory=list)
    kill_started: float | None = None
    kill_done: float | None = None
    seen_down: float | None = None  # the gateway's /health named the killed replicas down
    restart_done: float | None = None


class Load:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.accounts: list[Account] = []
        self.outcome = Outcome()
        self.run_id = uuid.uuid4().hex[:8]

    # ---- the run
    async def run(
        self,
        *,
        kill: Callable[[], Awaitable[None]],
        seen_down: Callable[[], Awaitable[None]],
        restart: Callable[[], Awaitable[None]],
    ) -> None:
        pending = iter(range(USERS))
        done = 0
        reached = {KILL_AFTER: asyncio.Event(), RESTART_AFTER: asyncio.Event()}
        killed, restarted = asyncio.Event(), asyncio.Event()

        async def worker() -> None:
            nonlocal done
            for index in pending:
                if index >= KILL_GATE:
                    await killed.wait()
                if index >= RESTART_GATE:
                    await restarted.wait()
                await self.user(index)
                done += 1
                for mark, event in reached.items():
                    if done >= mark:
                        event.set()

        async def faults() -> None:
            await reached[KILL_AFTER].wait()
            self.outcome.kill_started = time.monotonic()
            await kill()
            self.outcome.kill_done = time.monotonic()
            await seen_down()
            self.outcome.seen_down = time.monotonic()
            killed.set()
            await reached[RESTART_AFTER].wait()
            await restart()
            self.outcome.restart_done = time.monotonic()
            restarted.set()

        # A fault step that fails (a replica that does not come back) cancels the load at once
        # and is raised, instead of leaving the workers waiting at a gate.
        async with asyncio.TaskGroup() as group:
            group.create_task(faults())
            for _ in range(WORKERS):
                group.create_task(worker())

    async def user(self, index: int) -> None:
        account = Account(f"fault-{self.run_id}-{index}@example.com")
        self.accounts.append(account)
        body = {"email": account.email, "password": PASSWORD}
        if await self.call("POST", "/api/users", "register", ok={201}, json=body) is None:
            return
        account.registered = True
        if not await self.login(account):
            return
        limited = await self.create_project(account, f"limited {index}", LIMITED)
        free = await self.create_project(account, f"free {index}", None)
        if limited is not None:
            await asyncio.gather(*(self.create_task(account, limited, n) for n in range(3)))
            await self.rename(account, limited, f"limited {index} r1")
            await self.read(account, f"/api/projects/{limited.id}", "project")
            await self.rename(account, limited, f"limited {index} r2")
            await self.read(account, f"/api/projects/{limited.id}/tasks", "tasks")
        if free is not None:
            for n in range(2):
                await self.create_task(account, free, n)
            await self.rename(account, free, f"free {index} renamed")
        if index % 4 == 0:
            doomed = await self.create_project(account, f"doomed {index}", None)
            if doomed is not None:
                await self.delete(account, doomed)
        await self.read(account, "/api/users/me", "me")

    # ---- the calls
    async def call(
        self,
        method: str,
        path: str,
        route: str,
        *,
        ok: set[int],
        token: str | None = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response | None:
        """The answer when its status is in ``ok``; else None, and the call is a failure."""
        request_id = request_id or str(uuid.uuid4())
        headers = {"X-Request-ID": request_id}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            response = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            self.outcome.calls.append(
                Call(method, route, started, time.monotonic(), 0, request_id, repr(error))
            )
            return None
        call = Call(method, route, started, time.monotonic(), response.status_code, request_id)
        if response.status_code not in ok:
            call.detail = response.text[:300]
        self.outcome.calls.append(call)
        return response if response.status_code in ok else None

    async def login(self, account: Account, attempts: int = 3) -> bool:
        form = {"username": account.email, "password": PASSWORD}
        for _ in range(attempts):
            answer = await self.call("POST", "/api/users/login", "login", ok={200}, data=form)
            if answer is not None:
                account.token = answer.json()["access_token"]
                return True
        return False

    async def create_project(
        self, account: Account, name: str, limit: int | None
    ) -> Project | None:
        body: dict[str, Any] = {"name": name, "maximum_number_of_incomplete_tasks": limit}
        answer = await self.call(
            "POST", "/api/projects", "create project", ok={201}, token=account.token, json=body
        )
        if answer is None:
            return None
        project = Project(answer.json()["id"], limit, [name])
        account.projects[project.id] = project
        return project

    async def create_task(self, account: Account, project: Project, n: int) -> None:
        answer = await self.call(
            "POST",
            f"/api/projects/{project.id}/tasks",
            "create task",
            ok={201, 409},  # 409: the project's limit was reached, as it should be
            token=account.token,
            json={"name": f"task number {n}"},
        )
        if answer is None:
            project.tasks_unknown += 1
        elif answer.status_code == 201:
            project.tasks_created += 1

    async def rename(self, account: Account, project: Project, name: str) -> None:
        body = {"name": name, "maximum_number_of_incomplete_tasks": project.limit}
        path = f"/api/projects/{project.id}"
        answer = await self.call("PUT", path, "rename", ok={200}, token=account.token, json=body)
        if answer is not None:
            project.names.append(name)
            project.unsure_names.clear()
        else:
            project.unsure_names.append(name)

    async def delete(self, account: Account, project: Project) -> None:
        path, token = f"/api/projects/{project.id}", account.token
        deleted = None
        if await self.call("PUT", f"{path}/archive", "archive", ok={200}, token=token) is not None:
            project.deletion = str(uuid.uuid4())
            deleted = await self.call(
                "DELETE", path, "delete", ok={204}, token=token, request_id=project.deletion
            )
        project.deleted = deleted is not None
        project.unsure = deleted is None

    async def read(self, account: Account, path: str, route: str) -> None:
        await self.call("GET", path, route, ok={200}, token=account.token)

    # ---- afterwards
    async def existing_accounts(self) -> list[Account]:
        """The accounts that exist, each logged in: a registration or login that failed in
        flight may have been committed all the same, so log in again to find out."""
        for account in self.accounts:
            if account.token is None:
                form = {"username": account.email, "password": PASSWORD}
                answer = await self.http.post("/api/users/login", data=form)
                assert answer.status_code in (200, 401), answer.text
                if answer.status_code == 200:
                    account.token = answer.json()["access_token"]
        return [account for account in self.accounts if account.token is not None]

    def failures(self) -> list[Call]:
        return [c for c in self.outcome.calls if c.status == 0 or c.detail]

    def failed_reads(self) -> list[Call]:
        return [c for c in self.failures() if c.read]

    def failed_writes(self) -> list[Call]:
        return [c for c in self.failures() if not c.read]

    def in_flight_at_the_kill(self, call: Call) -> bool:
        """Not ended before the kill began, and begun before the gateway was seen to know of
        it (see ``lost_after_the_kill``)."""
        begun, seen = self.outcome.kill_started, self.outcome.seen_down
        assert begun is not None, "the replicas were never killed"
        assert seen is not None
        return call.started <= seen and call.ended >= begun

    def lost_after_the_kill(self) -> list[Call]:
        """Failed calls begun after the kill ended but before the gateway's /health named the
        killed replicas down. Only a POST may be among them: the gateway may still hold a
        kept-alive connection to a killed replica that its event loop has not yet seen closed
        (a stale keep-alive), and a POST sent on it is lost in flight like one sent before the
        kill, which it does not resend (it may have been acted on); a GET, PUT or DELETE lost
        so is resent once, to the other replica, and a refused connection is always tried on
        the other replica. A /health that names a replica down answers a check of it that
        failed after the kill, so the gateway's loop had run past the moment its connections
        closed: from then on no stale connection is left (``started_while_down``)."""
        done, seen = self.outcome.kill_done, self.outcome.seen_down
        assert done is not None
        assert seen is not None
        return [c for c in self.failures() if done < c.started <= seen]

    def unexplained_write_failures(self) -> list[Call]:
        """Failed writes that were not in flight while the replicas were being killed."""
        return [c for c in self.failed_writes() if not self.in_flight_at_the_kill(c)]

    def started_while_down(self) -> list[Call]:
        """Calls begun after the gateway's /health named the killed replicas down and before
        they were back: the gateway could meet only refused connections there, never a request
        lost in flight."""
        seen, back = self.outcome.seen_down, self.outcome.restart_done
        assert seen is not None
        assert back is not None, "the killed replicas were never started again"
        return [c for c in self.outcome.calls if seen < c.started < back]

    def deleted_before_their_resend(self, gateway_log: str) -> list[Call]:
        """Failed DELETEs answered 404 (project not found) after the gateway logged that it
        resent that very request, its first attempt lost in flight on a killed replica: that
        attempt had deleted the project before the kill, and the resend found it gone (a DELETE
        is idempotent in its effect, not in its answer). Their projects count as deleted, so
        the convergence check asserts that they are gone."""
        resent = {
            line.rsplit("resending id=", 1)[1].strip()
            for line in gateway_log.splitlines()
            if " lost DELETE (" in line and "resending id=" in line
        }
        gone = f"{PROBLEM_TYPE}project-not-found"
        calls = [
            c
            for c in self.failed_writes()
            if c.method == "DELETE"
            and c.status == 404
            and problem_type(c.detail) == gone
            and c.request_id in resent
        ]
        ids = {c.request_id for c in calls}
        for account in self.accounts:
            for project in account.projects.values():
                if project.deletion in ids:
                    project.deleted, project.unsure = True, False
        return calls

    def not_a_lost_request(self, calls: list[Call]) -> list[Call]:
        """Of failed calls, those the gateway did not answer with the 502 problem of a service
        that went away (``upstream-unavailable`` or ``upstream-broken``): no answer at all, a
        500 or a 504 is never explained by a kill."""
        lost = {f"{PROBLEM_TYPE}{slug}" for slug in ("upstream-unavailable", "upstream-broken")}
        return [c for c in calls if c.status != 502 or problem_type(c.detail) not in lost]

    def summary(self) -> str:
        calls = self.outcome.calls
        reads = sum(1 for c in calls if c.read)
        registered = sum(1 for a in self.accounts if a.registered)
        return (
            f"{len(calls)} calls ({reads} GET, {len(calls) - reads} writes), "
            f"{registered} of {len(self.accounts)} registrations acknowledged"
        )

    def describe(self, calls: list[Call]) -> str:
        zero = self.outcome.kill_started or 0.0
        return "\n".join(
            f"  {c.method} {c.route}: {c.status or 'no answer'} "
            f"(from {c.started - zero:+.3f} s to {c.ended - zero:+.3f} s of the kill) {c.detail}"
            for c in calls
        )


def problem_type(body: str) -> str | None:
    """The ``type`` of a problem+json body, or None when the body is not one."""
    try:
        problem = json.loads(body)
    except ValueError:
        return None
    kind = problem.get("type") if isinstance(problem, dict) else None
    return kind if isinstance(kind, str) else None
