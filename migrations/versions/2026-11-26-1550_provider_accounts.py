"""provider accounts

Payouts through a provider that pays sellers from their own account there (Stripe Connect):
the seller's connected account id, and the transfer a payout made to it, taken back when the
payout fails.

Revision ID: c5e1a7b3d0f2
Revises: b4d0f6a2c9e1
Create Date: 2026-11-26 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5e1a7b3d0f2"
down_revision: str | None = "b4d0f6a2c9e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sellers_seller") as batch:
        batch.add_column(sa.Column("provider_account_id", sa.String(length=255), nullable=True))
    with op.batch_alter_table("payouts_payout") as batch:
        batch.add_column(sa.Column("provider_transfer_id", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payouts_payout") as batch:
        batch.drop_column("provider_transfer_id")
    with op.batch_alter_table("sellers_seller") as batch:
        batch.drop_column("provider_account_id")
