"""PostgreSQL adapters (SQLAlchemy async + asyncpg), all in schema ``projects``."""
