"""kit outbox

Revision ID: cbfb2c727a93
Revises: d0eae98b631f
Create Date: 2026-11-26 06:26:31.183606
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cbfb2c727a93"
down_revision: str | None = "d0eae98b631f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kit_outbox_message",
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kit_outbox_message")),
    )
    with op.batch_alter_table("kit_outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kit_outbox_message_pending",
            ["available_at", "id"],
            unique=False,
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("kit_outbox_message", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_kit_outbox_message_pending",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )

    op.drop_table("kit_outbox_message")
