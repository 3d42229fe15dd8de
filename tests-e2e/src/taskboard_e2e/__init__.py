"""Black-box tests of the running stack (filled by the gateway/e2e issue)."""
