"""docker-compose.yml, built and started for real (see conftest.py), driven through the gateway."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from .conftest import IMAGES, LONG_RUNNING, ONE_SHOTS, TEST_NETWORK, Stack, run

STARTER = "My first project"


def call(
    stack: Stack,
    method: str,
    path: str,
    *,
    json_body: object = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    headers = {"Accept": "application/json", **(headers or {})}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - our own gateway on 127.0.0.1
        stack.gateway + path, data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read()
            return response.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, json.loads(body) if body else None


def eventually(check: Any, seconds: float = 30) -> Any:
    """Poll `check` until it returns something truthy (events cross the broker)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_every_container_is_healthy_and_the_one_shots_exited_0(stack: Stack) -> None:
    for service in LONG_RUNNING:
        state = stack.inspect(service)["State"]
        assert state["Health"]["Status"] == "healthy", service
    for service in ONE_SHOTS:
        state = stack.inspect(service)["State"]
        assert (state["Status"], state["ExitCode"]) == ("exited", 0), service


def test_each_images_own_healthcheck_passes_in_its_running_container(stack: Stack) -> None:
    """Compose replaces the images' HEALTHCHECKs with its own (readiness); the images' own
    checks (what `docker run` or an orchestrator uses) must work in them too."""
    for service in IMAGES:
        image = stack.inspect(service)["Config"]["Image"]
        found = json.loads(run("docker", "image", "inspect", image).stdout)[0]
        test = found["Config"]["Healthcheck"]["Test"]
        assert test[0] == "CMD", (service, test)
        stack.exec(service, *test[1:])  # raises with the output unless it exits 0


def test_only_the_gateway_is_published_on_the_loopback_interface(stack: Stack) -> None:
    published = {}
    for service in (*LONG_RUNNING, *ONE_SHOTS):
        bindings = stack.inspect(service)["HostConfig"].get("PortBindings") or {}
        published[service] = {
            port: sorted((b["HostIp"], b["HostPort"]) for b in hosts or [])
            for port, hosts in bindings.items()
        }
    assert published == {
        **{service: {} for service in (*LONG_RUNNING, *ONE_SHOTS)},
        "gateway": {"8000/tcp": [("127.0.0.1", str(stack.port))]},
    }


def test_the_images_run_as_the_unprivileged_user_from_the_stand_in_base(stack: Stack) -> None:
    for service in IMAGES:
        config = stack.inspect(service)["Config"]
        assert config["User"] == "10001:10001", service
        assert stack.exec(service, "id", "-u").strip() == "10001", service
    assert stack.inspect("postgres")["Config"]["Image"] == stack.standins["postgres"]
    assert stack.inspect("rabbitmq")["Config"]["Image"] == stack.standins["rabbitmq"]


def test_a_new_user_registers_logs_in_and_finds_the_starter_project(stack: Stack) -> None:
    email = f"compose-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"  # noqa: S105 - a throw-away user of a throw-away stack
    status, user = call(
        stack, "POST", "/api/users", json_body={"email": email, "password": password}
    )
    assert status == 201, user
    assert user["email"] == email

    status, login = call(
        stack, "POST", "/api/users/login", form={"username": email, "password": password}
    )
    assert status == 200, login
    assert login["token_type"] == "bearer"  # noqa: S105 - not a password
    token = login["access_token"]

    def starter_in_projects() -> list[dict[str, Any]]:
        status, page = call(stack, "GET", "/api/projects", token=token)
        assert status == 200, page
        return [p for p in page["projects"] if p["name"] == STARTER]

    projects = eventually(starter_in_projects)
    assert len(projects) == 1, "projects-service never created the starter project"
    starter = projects[0]
    status, tasks = call(stack, "GET", f"/api/projects/{starter['id']}/tasks", token=token)
    assert status == 200, tasks
    assert [t["name"] for t in tasks["tasks"]] == [
        "Sign up!",
        "Watch the tutorial",
        "Start using our awesome app",
    ]

    def starter_in_me() -> list[dict[str, Any]]:
        status, me = call(stack, "GET", "/api/users/me", token=token)
        assert status == 200, me
        return [p for p in me["projects"] if p["id"] == starter["id"]]

    listed = eventually(starter_in_me)
    assert listed == [{"id": starter["id"], "name": STARTER}], "/users/me does not list it"


def psql(stack: Stack, query: str) -> set[str]:
    out = stack.exec(
        "postgres", "psql", "-X", "-U", "postgres", "-d", "taskboard", "-tA", "-c", query
    )
    return {line for line in out.splitlines() if line}


def address(stack: Stack, service: str) -> str:
    (network,) = stack.inspect(service)["NetworkSettings"]["Networks"].values()
    return str(network["IPAddress"])


def test_throttling_counts_each_clients_address_never_the_gateways_or_a_forged_one(
    stack: Stack,
) -> None:
    """accounts believes X-Forwarded-For from the gateway's fixed address only
    (TRUSTED_PROXIES), and the gateway overwrites whatever a client sent there: a registration
    from this machine (with a forged header) and one from inside another container are counted
    under their own addresses, never under the gateway's (one bucket for every client)."""
    forged = "203.0.113.7"
    password = "correct horse battery"  # noqa: S105 - a throw-away user of a throw-away stack
    status, user = call(
        stack,
        "POST",
        "/api/users",
        json_body={"email": f"xff-{uuid.uuid4().hex[:8]}@example.com", "password": password},
        headers={"X-Forwarded-For": forged},
    )
    assert status == 201, user
    body = json.dumps({"email": f"inside-{uuid.uuid4().hex[:8]}@example.com", "password": password})
    register = (
        "import sys, urllib.request as u; print(u.urlopen(u.Request("
        "'http://gateway:8000/api/users', data=sys.argv[1].encode(),"
        " headers={'Content-Type': 'application/json'}), timeout=30).status)"
    )
    assert stack.exec("projects-service", "python", "-c", register, body).strip() == "201"

    gateway = address(stack, "gateway")
    assert gateway == f"{TEST_NETWORK}.10"
    counted = psql(
        stack, "SELECT subject FROM accounts.attempts WHERE kind = 'registration-client'"
    )
    assert address(stack, "projects-service") in counted
    assert gateway not in counted
    assert forged not in counted
    assert len(counted) >= 2, counted  # this machine's address besides the container's


def test_each_service_connects_as_its_own_database_role(stack: Stack) -> None:
    sessions = psql(
        stack,
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database()"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    )
    assert sessions == {"accounts", "projects"}
    owners = psql(
        stack,
        "SELECT DISTINCT schemaname || '=' || tableowner FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    assert owners == {"accounts=accounts", "projects=projects"}


def test_each_service_connects_as_its_own_broker_user(stack: Stack) -> None:
    out = stack.exec(
        "rabbitmq", "rabbitmqctl", "-q", "list_connections", "--no-table-headers", "user"
    )
    assert set(out.split()) == {"accounts", "projects"}
