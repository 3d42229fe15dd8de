"""The smallest service the chassis's own tests run: its settings, a container holding only the
platform, and the bootstrap that builds it over the integration tests' schema. Built only:
nothing connects before the platform starts, so unit tests use it without a database."""

from dataclasses import dataclass

from sqlalchemy import MetaData

from chassis import Platform, ServiceSettings, build_platform, message_tables
from contracts import UserAccountCreated

SCHEMA = "chassis_test"  # the integration tests' schema (integration/conftest.SCHEMA)


class StandInSettings(ServiceSettings):
    service_name: str = "chassis-test"
    worker_metrics_port: int = 0


@dataclass
class Container:
    platform: Platform

    async def close(self) -> None:
        await self.platform.close()


def bootstrap(settings: StandInSettings) -> Container:
    tables = message_tables(MetaData(schema=SCHEMA))
    return Container(build_platform(settings, exchange=UserAccountCreated.exchange, tables=tables))
