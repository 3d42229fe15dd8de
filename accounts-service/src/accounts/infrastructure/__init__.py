"""Adapters: PostgreSQL, bcrypt, JWT, the outbox."""
