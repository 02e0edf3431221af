"""Workspaces (tenants), their profiles (brands or clients) and API keys."""
