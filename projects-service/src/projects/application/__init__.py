"""Use cases of the projects service; knows the domain and its own ports only."""
