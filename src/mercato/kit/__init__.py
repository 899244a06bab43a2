"""Domain-free plumbing shared by every domain. Nothing here imports a domain."""
