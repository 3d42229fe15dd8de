"""Use cases of the accounts service; knows the domain and its own ports only."""
