"""Use case of accounts' revocations: refuse a user's older tokens here too."""

from projects.application.commands import RecordTokenRevocation
from projects.application.ports import TokenRevocations


async def record_token_revocation(
    command: RecordTokenRevocation, revocations: TokenRevocations
) -> None:
    await revocations.record(command)
