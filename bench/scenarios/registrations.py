"""Scenario 10: logins during a registration storm (issue 12's bounded password work).

``STORM_CONNECTIONS`` clients register new users through the gateway as fast as they are
answered, each from its own loopback address (127.0.1.x: the gateway's connection bound per
client address is not what is measured, and accounts' throttling sees as many clients). Far more
than the hashing queue holds, so accounts must turn most of them away. Two storms, one after the
other: the judged one of clients that wait as a 503's ``Retry-After`` says before they send
again (what HTTP clients and people do: the storm of the issue, 200 sign-ups at once), and, for
information, one of clients that send again at once, as an attacker would: that storm is a load
test of the whole HTTP path on this machine's two cores, shared with the load generator itself
(some 400 turned-away requests a second), so its logins measure the CPU left, not the hashing
queue's order. Beside each storm, from another
address, one login of the seeded user is sent every ``LOGIN_INTERVAL_S`` whether or not the
earlier ones were answered (a steady trickle of people, each on a connection of its own): the
judged figures are those logins' p99 and how many were not answered with 200, or 429 or 503
carrying ``Retry-After``. The bench stack lifts accounts' registrations per client address
(LocalStack sets ``THROTTLE_REGISTRATIONS_PER_CLIENT``), so the storm reaches the hashing queue
instead of being throttled before it."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from bench.context import Context
from bench.report import Row
from bench.seed import PASSWORD
from bench.stats import Summary

STORM_CONNECTIONS = 200
LOGIN_INTERVAL_S = 0.5
LOGIN_TIMEOUT_S = 30.0  # a login not answered by then counts as unanswered, at this latency
STORM_RAMP_S = 2.0  # the storm fills the hashing queue before the first login is timed
ANSWERED = {"200", "429", "503"}  # a 429 or 503 only with Retry-After (log_in)
SCENARIO = "10 registration storm"
DURATION_FACTOR = 2  # like scenario 4: a login takes up to a second, the p99 needs samples


@dataclass
class Outcome:
    login_ms: list[float] = field(default_factory=list)
    logins: Counter[str] = field(default_factory=Counter)  # "200", "503", "503 no Retry-After"
    storm: Counter[str] = field(default_factory=Counter)  # "201", "503", "error", ...
    storm_seconds: float = 0.0

    @property
    def unanswered(self) -> int:
        return sum(n for outcome, n in self.logins.items() if outcome not in ANSWERED)


def scenario_10(ctx: Context) -> None:
    seconds = ctx.options.duration * DURATION_FACTOR
    report_storm(ctx, seconds, asyncio.run(measure(ctx, seconds, patient=True)), "")
    report_storm(ctx, seconds, asyncio.run(measure(ctx, seconds, patient=False)), "attack_")


def report_storm(ctx: Context, seconds: float, outcome: Outcome, kind: str) -> None:
    """``kind`` "" for the judged storm (clients honour Retry-After), "attack_" for the other."""
    storm_name = "the storm" if not kind else "the storm, not waiting; information"
    report = ctx.report
    logins = Summary.of(outcome.login_ms)
    storm_total = sum(outcome.storm.values())
    rows = [
        Row(
            SCENARIO,
            f"login every {LOGIN_INTERVAL_S:g} s beside register c{STORM_CONNECTIONS}"
            + ("" if not kind else ", no waiting"),
            rps=logins.n / seconds,  # as sent
            p50_ms=logins.p50,
            p99_ms=logins.p99,
            non_2xx=logins.n - outcome.logins["200"],
            note=f"n={logins.n}, max {logins.max:.0f} ms; {describe(outcome.logins)}",
        ),
        Row(
            SCENARIO,
            f"register c{STORM_CONNECTIONS} ({storm_name})",
            rps=storm_total / outcome.storm_seconds,
            non_2xx=storm_total - outcome.storm["201"],
            note=describe(outcome.storm),
        ),
    ]
    report.rows += rows
    report.raw[rows[0].key] = {"logins": dict(outcome.logins), "login_ms": outcome.login_ms}
    report.raw[rows[1].key] = {"storm": dict(outcome.storm)}
    what = "" if not kind else ", clients not waiting for Retry-After"
    report.figure(
        f"s10.{kind}login_p99_ms",
        f"10 login p99 during the registration storm{what}",
        logins.p99,
        "ms",
    )
    report.figure(
        f"s10.{kind}logins_unanswered",
        f"10 logins not answered 200, or 429/503 with Retry-After{what}",
        outcome.unanswered,
    )
    for status in ("200", "429", "503"):
        report.figure(
            f"s10.{kind}logins_{status}",
            f"10 logins answered {status}{what}",
            outcome.logins[status],
        )
    report.figure(
        f"s10.{kind}storm_503", f"10 registrations turned away (503){what}", outcome.storm["503"]
    )
    print(
        f"  logins p99 {logins.p99:.0f} ms (n={logins.n}, {describe(outcome.logins)}) beside "
        f"{STORM_CONNECTIONS} registering clients{what} ({describe(outcome.storm)})"
    )


def describe(counts: Counter[str]) -> str:
    return " ".join(f"{outcome}:{n}" for outcome, n in sorted(counts.items()))


def loopback(block: int, index: int) -> str:
    return f"127.0.{block}.{index + 1}"


def session(address: str, timeout: float, connections: int = 1) -> aiohttp.ClientSession:
    """Clients from one source address, each on a connection of its own, kept alive."""
    connector = aiohttp.TCPConnector(limit=connections, local_addr=(address, 0))
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


async def measure(ctx: Context, seconds: float, *, patient: bool) -> Outcome:
    outcome = Outcome()
    stop = asyncio.Event()
    run = uuid.uuid4().hex[:8]
    url = ctx.target.gateway_url
    storm = [
        asyncio.create_task(
            register(url, loopback(1, i), f"{run}-{i}", stop, outcome, patient=patient)
        )
        for i in range(STORM_CONNECTIONS)
    ]
    started = time.monotonic()
    try:
        await asyncio.sleep(STORM_RAMP_S)
        await log_in_steadily(url, loopback(2, 0), ctx.seed.email, seconds, outcome)
    finally:
        stop.set()
        outcome.storm_seconds = time.monotonic() - started
        for task in storm:
            task.cancel()
        await asyncio.gather(*storm, return_exceptions=True)
    return outcome


async def register(
    url: str, address: str, label: str, stop: asyncio.Event, out: Outcome, *, patient: bool
) -> None:
    """Sign up again and again; a ``patient`` client waits as a 429/503's Retry-After says."""
    async with session(address, LOGIN_TIMEOUT_S) as client:
        number = 0
        while not stop.is_set():
            number += 1
            body = {"email": f"storm-{label}-{number}@example.com", "password": PASSWORD}
            wait = 0.0
            try:
                async with client.post(url + "/api/users", json=body) as response:
                    await response.read()
                    out.storm[str(response.status)] += 1
                    if patient and response.status in (429, 503):
                        wait = retry_after(response.headers.get("Retry-After"))
            except (aiohttp.ClientError, TimeoutError):
                out.storm["error"] += 1
            if wait:
                with contextlib.suppress(TimeoutError):  # the storm's end cuts the wait short
                    await asyncio.wait_for(stop.wait(), wait)


def retry_after(value: str | None) -> float:
    """Seconds a Retry-After header asks for (delay-seconds form); 1 when absent or a date."""
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


async def log_in_steadily(url: str, address: str, email: str, seconds: float, out: Outcome) -> None:
    """One login every ``LOGIN_INTERVAL_S`` for ``seconds``; returns when all are answered."""
    count = max(1, round(seconds / LOGIN_INTERVAL_S))
    async with session(address, LOGIN_TIMEOUT_S, connections=count) as client:
        logins = []
        for _ in range(count):
            logins.append(asyncio.create_task(log_in(client, url, email, out)))
            await asyncio.sleep(LOGIN_INTERVAL_S)
        await asyncio.gather(*logins)


async def log_in(client: aiohttp.ClientSession, url: str, email: str, out: Outcome) -> None:
    form = {"username": email, "password": PASSWORD}
    began = time.monotonic()
    try:
        async with client.post(url + "/api/users/login", data=form) as response:
            await response.read()
            outcome = str(response.status)
            if response.status != 200 and "Retry-After" not in response.headers:
                outcome += " no Retry-After"
    except (aiohttp.ClientError, TimeoutError) as error:
        outcome = f"000 {type(error).__name__}"
    out.login_ms.append((time.monotonic() - began) * 1000)
    out.logins[outcome] += 1
