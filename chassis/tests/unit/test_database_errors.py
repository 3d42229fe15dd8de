"""Which errors mean "the database cannot be reached" (503 and no spent attempt), not a bug."""

from sqlalchemy.exc import DBAPIError

from chassis import database_unavailable


def test_only_errors_caused_by_an_unreachable_database_count() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    wrapped = DBAPIError("SELECT 1", None, refused)
    raised_from = RuntimeError("query failed")
    raised_from.__cause__ = refused
    while_handling = ValueError("a bug in an except block")
    while_handling.__context__ = refused
    duplicate = DBAPIError("INSERT", None, ValueError("duplicate key"))

    assert database_unavailable(refused)
    assert database_unavailable(wrapped)
    assert database_unavailable(raised_from)
    assert not database_unavailable(while_handling)
    assert not database_unavailable(duplicate)
