"""The accounts domain: plain Python, no framework imports."""
