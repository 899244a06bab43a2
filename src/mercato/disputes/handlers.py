"""Disputes's reactions to other domains' events."""
