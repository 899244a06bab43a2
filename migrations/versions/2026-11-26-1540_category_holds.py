"""category holds

A hold period per category: the money of an order with a line in that category (or one of its
subcategories) waits at least that long after completion.

Revision ID: b4d0f6a2c9e1
Revises: a3c9e5f1b8d0
Create Date: 2026-11-26 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4d0f6a2c9e1"
down_revision: str | None = "a3c9e5f1b8d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settlement_category_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("hold_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_category.id"],
            name=op.f("fk_settlement_category_hold_category_id_catalog_category"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_category_hold")),
        sa.UniqueConstraint("category_id", name=op.f("uq_settlement_category_hold_category_id")),
    )


def downgrade() -> None:
    op.drop_table("settlement_category_hold")
