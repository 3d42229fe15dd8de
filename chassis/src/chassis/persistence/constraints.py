"""Which constraint an integrity error tripped over, so a unit of work can name the rule."""

from sqlalchemy.exc import IntegrityError


def violated_constraint(error: IntegrityError) -> str | None:
    """The constraint (or unique index) asyncpg reports; SQLAlchemy wraps its error."""
    driver_error = getattr(error.orig, "__cause__", None)
    return getattr(driver_error, "constraint_name", None)
