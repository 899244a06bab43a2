"""Search: the index of visible listings, full-text search with typo tolerance, facets, sort and
pagination, on PostgreSQL (tsvector + GIN + pg_trgm) and SQLite (FTS5)."""
