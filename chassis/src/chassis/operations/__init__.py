"""Tools for the people who run the system."""
