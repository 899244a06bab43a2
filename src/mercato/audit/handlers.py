"""Audit's reactions to other domains' events."""
