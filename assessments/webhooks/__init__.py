"""Outbound webhooks: the outbox rows written with each audit event, and how they are signed and sent."""
