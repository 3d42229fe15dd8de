"""PostgreSQL: engines, the read pool, outbox and inbox tables, database errors."""
