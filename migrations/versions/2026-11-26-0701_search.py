"""search

The search index (``search_document``, its category and attribute rows, and the categories'
names) plus each engine's
full-text structures, written by hand because they are specific to the dialect:

- PostgreSQL: pg_trgm and unaccent (in ``public``), text search configurations that fold accents,
  a generated weighted ``search_vector`` (title A, attributes and seller B, description C, exact
  words D for prefix matching) with a GIN index, a trigram GIN index on the title, and the
  ``search_term`` vocabulary (trigram-indexed) for correcting typos.
- SQLite: an external-content FTS5 table kept in sync by triggers, and its vocabulary table.

Revision ID: 7c4803f8f95b
Revises: df46678fa852
Create Date: 2026-11-26 07:01:08.884835
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c4803f8f95b"
down_revision: str | None = "df46678fa852"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

POSTGRESQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
    "CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public",
    "CREATE TEXT SEARCH CONFIGURATION search_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION search_english"
    " ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION search_simple (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION search_simple"
    " ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, simple",
    """
    ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('search_english'::regconfig, title), 'A')
        || setweight(to_tsvector('search_english'::regconfig,
                                 attributes_text || ' ' || seller_name), 'B')
        || setweight(to_tsvector('search_english'::regconfig, description), 'C')
        || setweight(to_tsvector('search_simple'::regconfig,
                                 title || ' ' || attributes_text || ' ' || seller_name), 'D')
    ) STORED
    """,
    "CREATE INDEX ix_search_document_search_vector ON search_document USING gin (search_vector)",
    "CREATE INDEX ix_search_document_title_trgm ON search_document"
    " USING gin (title public.gin_trgm_ops)",
    # The words of indexed titles, attributes and seller names, for correcting typos.
    "CREATE TABLE search_term (term text NOT NULL, CONSTRAINT pk_search_term PRIMARY KEY (term))",
    "CREATE INDEX ix_search_term_trgm ON search_term USING gin (term public.gin_trgm_ops)",
]

POSTGRESQL_DOWN = [
    "DROP TABLE IF EXISTS search_term",
    "DROP INDEX IF EXISTS ix_search_document_title_trgm",
    "DROP INDEX IF EXISTS ix_search_document_search_vector",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_simple",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_english",
]

FTS_COLUMNS = "title, attributes_text, seller_name, description"
SQLITE_UP = [
    f"""
    CREATE VIRTUAL TABLE search_fts USING fts5(
        {FTS_COLUMNS},
        content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, 'row')",
    f"""
    CREATE TRIGGER search_document_fts_insert AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.attributes_text, new.seller_name, new.description);
    END
    """,
    f"""
    CREATE TRIGGER search_document_fts_delete AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.attributes_text, old.seller_name,
                old.description);
    END
    """,
    f"""
    CREATE TRIGGER search_document_fts_update AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.attributes_text, old.seller_name,
                old.description);
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.attributes_text, new.seller_name, new.description);
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_document_fts_update",
    "DROP TRIGGER IF EXISTS search_document_fts_delete",
    "DROP TRIGGER IF EXISTS search_document_fts_insert",
    "DROP TABLE IF EXISTS search_fts_vocab",
    "DROP TABLE IF EXISTS search_fts",
]


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", INDEX_KEY, autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("seller_name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("attributes_text", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("category_ids", sa.JSON(), nullable=False),
        sa.Column("category_path", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_min_minor", sa.BigInteger(), nullable=False),
        sa.Column("price_max_minor", sa.BigInteger(), nullable=False),
        sa.Column("price_key", sa.BigInteger(), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("image_key", sa.String(length=255), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_search_document_listing_id")),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_document_price_key"), ["price_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_search_document_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_search_document_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "search_document_attribute",
        sa.Column("document_id", INDEX_KEY, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["search_document.id"],
            name=op.f("fk_search_document_attribute_document_id_search_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "code", name=op.f("pk_search_document_attribute")),
    )
    with op.batch_alter_table("search_document_attribute", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_document_attribute_value", ["code", "value", "document_id"], unique=False
        )

    op.create_table(
        "search_document_category",
        sa.Column("document_id", INDEX_KEY, nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["search_document.id"],
            name=op.f("fk_search_document_category_document_id_search_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "document_id", "category_id", name=op.f("pk_search_document_category")
        ),
    )
    with op.batch_alter_table("search_document_category", schema=None) as batch_op:
        batch_op.create_index(
            "ix_search_document_category_category", ["category_id", "document_id"], unique=False
        )

    op.create_table(
        "search_category",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_category")),
    )

    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": POSTGRESQL_UP, "sqlite": SQLITE_UP}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": POSTGRESQL_DOWN, "sqlite": SQLITE_DOWN}.get(dialect, []):
        op.execute(statement)

    op.drop_table("search_category")
    with op.batch_alter_table("search_document_category", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_category_category")
    op.drop_table("search_document_category")
    with op.batch_alter_table("search_document_attribute", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_attribute_value")
    op.drop_table("search_document_attribute")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_document_seller_id"))
        batch_op.drop_index(batch_op.f("ix_search_document_published_at"))
        batch_op.drop_index(batch_op.f("ix_search_document_price_key"))
    op.drop_table("search_document")
