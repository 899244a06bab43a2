"""disputes and reviews: refund conditions, return expiry, edited reviews

Returns keep why they were asked (a change of mind may cost the SLA policy's restocking fee),
the fee they were shown and the fee kept on receipt, and when an approved return expired for
not being sent back in time (the sweep looks approved returns up by their ship-back deadline).
An escrow line records what the seller kept of its refunded units. Reviews already carry
``edited_at``.

Revision ID: a9c5e1f7b3d6
Revises: f8b4d0e6a2c5
Create Date: 2026-11-26 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9c5e1f7b3d6"
down_revision: str | None = "f8b4d0e6a2c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disputes_return", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_code", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("restocking_fee_percent", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("restocking_fee_minor", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_disputes_return_ship_back", ["status", "ship_back_by"], unique=False
        )
    with op.batch_alter_table("settlement_escrow_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kept_minor", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("settlement_escrow_line", schema=None) as batch_op:
        batch_op.drop_column("kept_minor")
    with op.batch_alter_table("disputes_return", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_return_ship_back")
        batch_op.drop_column("expired_at")
        batch_op.drop_column("restocking_fee_minor")
        batch_op.drop_column("restocking_fee_percent")
        batch_op.drop_column("reason_code")
