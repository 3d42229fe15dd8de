"""Where a client of any Taskboard service gets the bearer token the service accepts: accounts
issues it, and every service's API document points there (one API through the gateway)."""

ACCESS_TOKEN_DESCRIPTION = "Access token from POST /api/users/login"  # noqa: S105 (no secret)
