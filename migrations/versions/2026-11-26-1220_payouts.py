"""payouts: seller payout schedules and payouts

Revision ID: a7c3e9f5b2d4
Revises: f6b2d8e4a1c3
Create Date: 2026-11-26 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9f5b2d4"
down_revision: str | None = "f6b2d8e4a1c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payouts_schedule",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("interval", sa.String(length=16), nullable=False),
        sa.Column("weekly_anchor", sa.SmallInteger(), nullable=True),
        sa.Column("monthly_anchor", sa.SmallInteger(), nullable=True),
        sa.Column("minimums", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_payouts_schedule_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts_schedule")),
        sa.UniqueConstraint("seller_id", name=op.f("uq_payouts_schedule_seller_id")),
    )
    op.create_table(
        "payouts_payout",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("destination_last4", sa.String(length=4), nullable=False),
        sa.Column("provider_payout_id", sa.String(length=255), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("retry_of_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_payouts_payout_seller_id_sellers_seller"),
        ),
        sa.ForeignKeyConstraint(
            ["retry_of_id"],
            ["payouts_payout.id"],
            name=op.f("fk_payouts_payout_retry_of_id_payouts_payout"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["accounts_user.id"],
            name=op.f("fk_payouts_payout_requested_by_user_id_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts_payout")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payouts_payout_idempotency_key")),
    )
    with op.batch_alter_table("payouts_payout", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payouts_payout_seller", ["seller_id", "currency", "created_at"], unique=False
        )
        batch_op.create_index("ix_payouts_payout_status", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payouts_payout", schema=None) as batch_op:
        batch_op.drop_index("ix_payouts_payout_status")
        batch_op.drop_index("ix_payouts_payout_seller")
    op.drop_table("payouts_payout")
    op.drop_table("payouts_schedule")
