"""Taskboard gateway (routing reverse proxy), built by the gateway issue."""
