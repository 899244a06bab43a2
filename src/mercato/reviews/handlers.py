"""Reviews's reactions to other domains' events."""
