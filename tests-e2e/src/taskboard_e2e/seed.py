"""``make seed``: the original's demo data, created through the public API (the gateway).

taskboard-seed               # test@email.com with the original's demo projects
taskboard-seed --users 50    # and the fixed users user1..50@email.com with the same projects

Every demo user's password is "password". A user already there is skipped (never changed), so
seeding twice creates nothing new, and --users 100 after --users 50 creates user51..100.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import httpx
import typer
from rich.progress import Progress as RichProgress

from taskboard_e2e.client import ApiError, TaskboardClient

DEMO_EMAIL = "test@email.com"
DEMO_PASSWORD = "password"  # noqa: S105 - the original's published demo account

app = typer.Typer(add_completion=False, help=__doc__)


async def seed_user(api: TaskboardClient, email: str, password: str) -> str:
    """One user with the original's demo projects; returns ``created`` or ``existed``."""
    try:
        await api.register(email, password)
        outcome = "created"
    except ApiError as error:
        if error.status != 409:
            raise
        return "existed"  # seeding twice must not duplicate anyone's data
    await api.login(email, password)

    software = await api.create_project("Software Engineering")
    task = await api.create_task(software["id"], "Read Clean Architecture")
    await api.complete(software["id"], task["number"])

    ddd = await api.create_project("Learn Domain Driven Design", limit=5)
    for name in ["Read the blue book", "Read the red book", "Model a domain", "Write an essay"]:
        await api.create_task(ddd["id"], name)

    household = await api.create_project("Household")
    for name in ["Do the laundry", "Water the plants"]:
        await api.create_task(household["id"], name)

    old = await api.create_project("Old stuff")
    await api.archive(old["id"])
    await api.delete_project(old["id"])
    return outcome


class Progress:
    """A progress bar on a terminal; elsewhere (a pipe, a CI log) a line every tenth of the way."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.counts = {"created": 0, "existed": 0}
        self.every = max(1, total // 10)
        self._bar: RichProgress | None = None
        if sys.stdout.isatty():
            self._bar = RichProgress()
            self._task = self._bar.add_task("seeding users", total=total)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, outcome: str) -> None:
        self.counts[outcome] += 1
        self.done += 1
        if self._bar is not None:
            self._bar.advance(self._task)
        elif self.done % self.every == 0 or self.done == self.total:
            typer.echo(
                f"seeding users: {self.done}/{self.total} ({self.counts['created']} created, "
                f"{self.counts['existed']} already there)"
            )


async def _seed(base_url: str, users: int, concurrency: int) -> dict[str, int]:
    counts = {"created": 0, "existed": 0}
    async with TaskboardClient(base_url) as root:
        counts[await seed_user(root.as_user(""), DEMO_EMAIL, DEMO_PASSWORD)] += 1
        if users:
            limit = asyncio.Semaphore(concurrency)
            with Progress(users) as progress:

                async def one(n: int) -> None:
                    async with limit:
                        outcome = await seed_user(
                            root.as_user(""), f"user{n}@email.com", DEMO_PASSWORD
                        )
                    counts[outcome] += 1
                    progress.advance(outcome)

                await asyncio.gather(*(one(n) for n in range(1, users + 1)))
    return counts


@app.command()
def seed(
    gateway_url: Annotated[str, typer.Option(envvar="GATEWAY_URL")] = "http://127.0.0.1:8000",
    users: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also the fixed users user1..N@email.com (password 'password') with the same "
            "projects; users already there are skipped.",
        ),
    ] = 0,
    concurrency: Annotated[int, typer.Option(min=1)] = 8,
) -> None:
    """Create the demo data through the public API: test@email.com and, with --users N, the
    fixed users user1..N@email.com, each with the original's demo projects. Every demo user's
    password is "password"; users already there are skipped, so running it twice is harmless."""
    try:
        counts = asyncio.run(_seed(gateway_url, users, concurrency))
    except ApiError as error:
        typer.echo(f"seeding failed: {error}", err=True)
        raise typer.Exit(1) from error
    except httpx.TransportError as error:
        typer.echo(
            f"cannot reach {gateway_url} ({error}); start the stack with 'make run'", err=True
        )
        raise typer.Exit(1) from error
    also = f" (or user1..{users}@email.com, same password)" if users else ""
    typer.echo(
        f"seeded {counts['created']} user(s), {counts['existed']} already there; "
        f"log in as {DEMO_EMAIL} / {DEMO_PASSWORD}{also}"
    )
