"""The native HTTP API under /v1: powertools resolver, routers, models, auth, error envelope."""
