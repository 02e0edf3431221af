"""Webhooks: endpoints a profile subscribes, the events Herald sends them, signed delivery."""
