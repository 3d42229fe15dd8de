"""Broker names: each producer owns one durable topic exchange."""

ACCOUNTS_EXCHANGE = "accounts.events"
PROJECTS_EXCHANGE = "projects.events"

ACCOUNTS_PRODUCER = "accounts-service"
PROJECTS_PRODUCER = "projects-service"
