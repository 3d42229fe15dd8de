"""Base class of integration event payloads: names their type, version and routing key."""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class IntegrationEvent(BaseModel):
    """An event published for other services; its fields are a public, versioned contract."""

    model_config = ConfigDict(frozen=True, extra="ignore")  # tolerant reader, see Envelope

    event_type: ClassVar[str]
    """Dotted name used in routing keys, e.g. ``user.account_created``."""
    major_version: ClassVar[int] = 1
    exchange: ClassVar[str]

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.event_type}.v{cls.major_version}"
