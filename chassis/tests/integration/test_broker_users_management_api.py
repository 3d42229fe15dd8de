"""``make logins`` through RabbitMQ's management HTTP API (``RABBITMQ_MANAGEMENT_URL``), the way
it reaches a broker on another machine. The machine's shared broker has no management plugin
(and must not be changed), so the test starts a private node of this machine's RabbitMQ with the
plugin, on free loopback ports and a directory of its own, and stops it afterwards."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import aiormq
import pytest

from chassis.operations.broker_users import ManagementApi, broker_users
from contracts import broker_permissions
from taskboard_testing import free_port, require_service

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # Debian's, without the wrapper's su
BOOT_SECONDS = 180.0  # a bound only: it answered in 15 s here beside other test runs


@dataclass(frozen=True)
class PrivateBroker:
    amqp_url: str
    management_url: str

    def get(self, path: str) -> object:
        request = urllib.request.Request(  # noqa: S310 - our own loopback node
            f"{self.management_url}/api/{path}",
            headers={"Authorization": "Basic " + base64.b64encode(b"guest:guest").decode()},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.load(answer)


@pytest.fixture(scope="module")
def broker() -> Iterator[PrivateBroker]:
    executable = SERVER if os.path.exists(SERVER) else shutil.which("rabbitmq-server")
    if executable is None:
        require_service("a RabbitMQ server to run privately", "no rabbitmq-server here")
    assert executable is not None
    home = Path(tempfile.mkdtemp(prefix="taskboard-mgmt-"))
    amqp, management, dist = free_port(), free_port(), free_port()
    (home / "enabled_plugins").write_text("[rabbitmq_management].\n")
    (home / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = 127.0.0.1:{amqp}\n"
        f"management.tcp.port = {management}\nmanagement.tcp.ip = 127.0.0.1\n"
    )
    cookie = home / ".erlang.cookie"  # its own: no other node can talk to it
    cookie.write_text(secrets.token_hex(16).upper())
    cookie.chmod(0o400)
    env = {
        **os.environ,
        "HOME": str(home),
        "RABBITMQ_NODENAME": f"taskboard_test_{secrets.token_hex(4)}@localhost",
        "RABBITMQ_DIST_PORT": str(dist),
        "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
        "RABBITMQ_LOG_BASE": str(home / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq"),
        "RABBITMQ_PID_FILE": str(home / "pid"),
    }
    log = (home / "out").open("wb")
    server = subprocess.Popen(
        [executable], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    running = PrivateBroker(
        f"amqp://guest:guest@127.0.0.1:{amqp}/", f"http://127.0.0.1:{management}"
    )
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            try:
                running.get("overview")
                break
            except (OSError, urllib.error.URLError):
                if server.poll() is not None or time.monotonic() > deadline:
                    output = (home / "out").read_text(errors="replace")[-2000:]
                    require_service("a private RabbitMQ node", f"it did not start: {output}")
                time.sleep(0.5)
        yield running
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def test_the_management_api_is_used_when_its_url_is_set(
    broker: PrivateBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RABBITMQ_MANAGEMENT_URL", broker.management_url)
    assert isinstance(broker_users(broker.amqp_url), ManagementApi)


async def test_a_user_is_made_updated_and_deleted_through_the_management_api(
    broker: PrivateBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RABBITMQ_MANAGEMENT_URL", broker.management_url)
    users = broker_users(broker.amqp_url)
    grant = broker_permissions("accounts")
    users.ensure("accounts_test", "first", vhost="/", grant=grant)
    users.ensure("accounts_test", "second", vhost="/", grant=grant)
    try:
        granted = broker.get("permissions/%2F/accounts_test")
        assert isinstance(granted, dict)
        assert (granted["configure"], granted["write"], granted["read"]) == (
            grant.configure,
            grant.write,
            grant.read,
        )
        user = broker.get("users/accounts_test")
        assert isinstance(user, dict)
        assert user["tags"] in ([], "")
        own = broker.amqp_url.replace("guest:guest", "accounts_test:second")
        connection = await aio_pika.connect(own)
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.declare_exchange("accounts.events", "topic", durable=True)
            theirs = await channel.declare_exchange("projects.events", "topic", durable=True)
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                await theirs.publish(aio_pika.Message(b"{}"), routing_key="x", timeout=30)
        finally:
            await connection.close()
        with pytest.raises(aiormq.exceptions.ProbableAuthenticationError):
            await aio_pika.connect(broker.amqp_url.replace("guest:guest", "accounts_test:first"))
    finally:
        users.delete("accounts_test")
    users.delete("accounts_test")  # a second time: nothing there, no error
    with pytest.raises(urllib.error.HTTPError) as gone:
        broker.get("users/accounts_test")
    assert gone.value.code == 404
