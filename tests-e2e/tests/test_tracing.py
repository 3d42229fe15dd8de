"""One registration is one trace: gateway → accounts → its outbox → its relay → projects'
consumer → the starter project → projects' outbox → its relay → accounts' projection consumer.
The stack (its own, on its own database and vhost) exports to a small OTLP/HTTP receiver."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from taskboard_e2e import TaskboardClient
from taskboard_e2e.stack import LocalStack

from taskboard_testing import ThrowawayDatabase, ThrowawayVhost, eventually
from taskboard_testing.otlp import OtlpReceiver, ReceivedSpan
from tests.conftest import PASSWORD, unique_email

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("GATEWAY_URL")), reason="needs a stack it starts itself, traced"
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as running:
        yield running


@pytest.fixture(scope="module")
def traced_stack(
    receiver: OtlpReceiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    with (
        ThrowawayDatabase("e2e_traced") as database,
        ThrowawayVhost("e2e-traced") as vhost,
        LocalStack(
            database_url=database.url,
            amqp_url=vhost.url,
            workdir=tmp_path_factory.mktemp("traced"),
            extra_env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
                "OTEL_TRACES_SAMPLER": "always_on",
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                "LOG_FORMAT": "json",
            },
        ) as running,
    ):
        yield running


def one(spans: list[ReceivedSpan], **wanted: str) -> ReceivedSpan:
    found = [s for s in spans if all(getattr(s, k) == v for k, v in wanted.items())]
    assert len(found) == 1, f"{wanted}: {found}"
    return found[0]


async def test_a_registration_is_one_trace_through_both_outboxes_relays_and_consumers(
    traced_stack: LocalStack, receiver: OtlpReceiver
) -> None:
    async with TaskboardClient(traced_stack.gateway_url) as api:
        await api.register(unique_email("traced"), PASSWORD)

    # Each process exports on its own schedule, and a consumer's span ends after its ack, which
    # may be after the next hop has already exported its own: wait for every hop, not the last.
    hops = [
        ("gateway", "server"),
        ("accounts-service", "server"),
        ("accounts-service", "producer"),
        ("projects-service", "consumer"),
        ("projects-service", "producer"),
        ("accounts-service", "consumer"),
    ]

    def whole_trace(spans: list[ReceivedSpan]) -> bool:
        roots = [s for s in spans if s.service == "gateway" and s.name == "POST /api/users"]
        if not roots:
            return False
        trace = {(s.service, s.kind) for s in spans if s.trace_id == roots[0].trace_id}
        return all(hop in trace for hop in hops)

    async def received() -> list[ReceivedSpan]:
        return receiver.spans()

    await eventually(received, until=whole_trace, timeout=60, what="a span of every hop")
    spans = receiver.spans()
    gateway = one(spans, service="gateway", kind="server", name="POST /api/users")
    trace = [s for s in spans if s.trace_id == gateway.trace_id]
    accounts = one(trace, service="accounts-service", kind="server", name="POST /api/users")
    assert accounts.parent_id == gateway.span_id
    created = one(trace, service="accounts-service", kind="producer")
    assert created.parent_id == accounts.span_id
    starter = one(trace, service="projects-service", kind="consumer")
    assert starter.parent_id == created.span_id
    assert any(
        s.kind == "client" and s.parent_id == starter.span_id and s.service == "projects-service"
        for s in trace
    ), "the consumer's SQL statements are its children"
    project_created = one(trace, service="projects-service", kind="producer")
    assert project_created.parent_id == starter.span_id
    projection = one(trace, service="accounts-service", kind="consumer")
    assert projection.parent_id == project_created.span_id


def test_json_log_lines_carry_the_trace(traced_stack: LocalStack) -> None:
    log = Path(traced_stack.workdir / "accounts.log").read_text(errors="replace")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert lines, "accounts-service wrote no JSON line"
    assert all(line["service"] == "accounts-service" for line in lines)
    assert any("trace_id" in line and "request_id" in line for line in lines)
