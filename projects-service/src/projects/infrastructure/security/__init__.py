"""Access-token verification with accounts-service's public keys (JWKS)."""
