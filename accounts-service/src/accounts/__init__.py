"""Taskboard accounts-service: users, login, JWT issuing."""
