"""Governance's reactions to other domains' events."""
