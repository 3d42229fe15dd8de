"""Taskboard projects-service."""
