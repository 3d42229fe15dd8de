"""Traces, metrics and structured logs, the same in every process of the system."""
