"""The gateway loads only the chassis's telemetry and logging, none of what the services use
(issue 17: the start is faster when a process imports only what it needs)."""

from taskboard_testing import modules_loaded_by, packages_in

BUILD_THE_APP = """
import gateway.__main__
from gateway.app import create_app
from gateway.config import Settings
create_app(Settings())
"""


def test_building_the_gateway_loads_no_database_broker_or_service_framework() -> None:
    loaded = modules_loaded_by(BUILD_THE_APP)
    assert (
        packages_in(
            loaded, ["sqlalchemy", "asyncpg", "alembic", "faststream", "aio_pika", "fastapi"]
        )
        == []
    )
    assert packages_in(loaded, ["chassis.platform", "chassis.messaging"]) == []
    # Of the chassis's HTTP part, only the client address rules (the standard library's
    # ipaddress): the gateway believes X-Forwarded-For from the proxies it trusts, as accounts does.
    http = {name for name in loaded if name.startswith("chassis.http.")}
    assert http == {"chassis.http.client_address"}
    assert "chassis.telemetry.telemetry" in loaded
