"""The web edges: Chainlit wiring helpers, the JSON API, persistence, access control, security headers."""
