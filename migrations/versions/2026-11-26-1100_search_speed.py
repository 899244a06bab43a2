"""search speed

PostgreSQL only (SQLite keeps its FTS5 structures as they are):

- ``attribute_facets``: the listing's attributes as ``jsonb``, generated from the ``json``
  column. The attribute facets read their (code, value) pairs from it without parsing JSON
  for every matching row; ``attributes`` itself stays ``json`` because it keeps the seller's
  order of the attributes, which ``jsonb`` does not.
- The GIN indexes of search keep a small pending list (``gin_pending_list_limit`` 256 kB
  instead of the server's 4 MB): every search scans the whole list of not yet merged
  entries, which at 4 MB more than doubled the cost of a full-text match (and cost a broad
  word like "black" 80 ms). Turning the list off (``fastupdate = off``) made bulk writes
  (a re-index, a CSV import) three times slower; 256 kB bounds the scan for a third more
  write time. The existing pending lists are merged here.

Revision ID: d4f9b2c7e1a3
Revises: c3e8a1d4f6b2
Create Date: 2026-11-26 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4f9b2c7e1a3"
down_revision: str | None = "c3e8a1d4f6b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GIN_INDEXES = (
    "ix_search_document_search_vector",
    "ix_search_document_title_trgm",
    "ix_search_term_trgm",
)

POSTGRESQL_UP = [
    "ALTER TABLE search_document ADD COLUMN attribute_facets jsonb"
    " GENERATED ALWAYS AS (attributes::jsonb) STORED",
    *(f"ALTER INDEX {index} SET (gin_pending_list_limit = 256)" for index in GIN_INDEXES),
    *(f"SELECT gin_clean_pending_list('{index}'::regclass)" for index in GIN_INDEXES),
]

POSTGRESQL_DOWN = [
    *(f"ALTER INDEX {index} RESET (gin_pending_list_limit)" for index in GIN_INDEXES),
    "ALTER TABLE search_document DROP COLUMN IF EXISTS attribute_facets",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_DOWN:
            op.execute(statement)
