"""Cross-cutting protections: production settings, trusted hosts, security headers, sign-in throttling."""
