"""Notifications: outgoing email through SMTP, or into a local outbox the admin can read."""
