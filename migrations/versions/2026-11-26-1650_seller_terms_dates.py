"""sellers: seller terms versions carry the reason for the change and the time they apply from

Revision ID: c1e7a3b9d5f8
Revises: b0d6f2a8c4e7
Create Date: 2026-11-26 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1e7a3b9d5f8"
down_revision: str | None = "b0d6f2a8c4e7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Versions published before this revision applied from their publication, with no reason given.
EARLIER_REASON = "Published before reasons were recorded."


def upgrade() -> None:
    with op.batch_alter_table("sellers_terms_version") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("effective_from", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text(
            "UPDATE sellers_terms_version SET reason = :reason, effective_from = published_at"
        ).bindparams(reason=EARLIER_REASON)
    )
    with op.batch_alter_table("sellers_terms_version") as batch:
        batch.alter_column("reason", existing_type=sa.Text(), nullable=False)
        batch.alter_column(
            "effective_from", existing_type=sa.DateTime(timezone=True), nullable=False
        )
    op.create_index(
        "ix_sellers_terms_version_effective_from", "sellers_terms_version", ["effective_from"]
    )


def downgrade() -> None:
    op.drop_index("ix_sellers_terms_version_effective_from", table_name="sellers_terms_version")
    with op.batch_alter_table("sellers_terms_version") as batch:
        batch.drop_column("effective_from")
        batch.drop_column("reason")
