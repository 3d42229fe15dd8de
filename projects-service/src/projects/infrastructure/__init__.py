"""Adapters: PostgreSQL, the outbox, token verification with accounts' public keys."""
