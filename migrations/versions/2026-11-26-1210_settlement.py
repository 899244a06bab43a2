"""settlement: escrow per paid order (with its lines), refunds, per-seller hold periods

Revision ID: f6b2d8e4a1c3
Revises: e5a1c7d3b9f2
Create Date: 2026-11-26 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6b2d8e4a1c3"
down_revision: str | None = "e5a1c7d3b9f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settlement_seller_hold",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("hold_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_settlement_seller_hold_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_seller_hold")),
        sa.UniqueConstraint("seller_id", name=op.f("uq_settlement_seller_hold_seller_id")),
    )
    op.create_table(
        "settlement_escrow",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("escrow_account", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("released_minor", sa.BigInteger(), nullable=False),
        sa.Column("released_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_journal_id", sa.Uuid(), nullable=True),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_reason", sa.Text(), nullable=True),
        sa.Column("horizon_alert_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("horizon_alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "fee_minor >= 0 AND fee_minor <= captured_minor", name=op.f("ck_settlement_escrow_fee")
        ),
        sa.CheckConstraint(
            "refunded_fee_minor >= 0 AND refunded_fee_minor <= fee_minor",
            name=op.f("ck_settlement_escrow_rfee"),
        ),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= captured_minor",
            name=op.f("ck_settlement_escrow_refunds"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["accounts_user.id"],
            name=op.f("fk_settlement_escrow_buyer_id_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order.id"],
            name=op.f("fk_settlement_escrow_order_id_orders_order"),
        ),
        sa.ForeignKeyConstraint(
            ["release_journal_id"],
            ["payments_ledger_journal.id"],
            name=op.f("fk_settlement_escrow_release_journal_id_payments_ledger_journal"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_settlement_escrow_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_escrow")),
        sa.UniqueConstraint("order_id", name=op.f("uq_settlement_escrow_order_id")),
    )
    with op.batch_alter_table("settlement_escrow", schema=None) as batch_op:
        batch_op.create_index("ix_settlement_escrow_due", ["status", "release_after"], unique=False)
        batch_op.create_index(
            "ix_settlement_escrow_horizon", ["status", "horizon_alert_at"], unique=False
        )
        batch_op.create_index(
            "ix_settlement_escrow_seller", ["seller_id", "currency", "status"], unique=False
        )

    op.create_table(
        "settlement_escrow_line",
        sa.Column("escrow_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_quantity", sa.Integer(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "refunded_minor >= 0 AND refunded_minor <= line_total_minor",
            name=op.f("ck_settlement_escrow_line_amount"),
        ),
        sa.CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity",
            name=op.f("ck_settlement_escrow_line_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["escrow_id"],
            ["settlement_escrow.id"],
            name=op.f("fk_settlement_escrow_line_escrow_id_settlement_escrow"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_escrow_line")),
        sa.UniqueConstraint(
            "escrow_id", "line_id", name=op.f("uq_settlement_escrow_line_escrow_id")
        ),
    )
    op.create_table(
        "settlement_refund",
        sa.Column("escrow_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_share_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("requested_role", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("provider_refund_id", sa.String(length=255), nullable=True),
        sa.Column("journal_id", sa.Uuid(), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_settlement_refund_amount")),
        sa.CheckConstraint(
            "fee_share_minor >= 0 AND fee_share_minor <= amount_minor",
            name=op.f("ck_settlement_refund_fee"),
        ),
        sa.ForeignKeyConstraint(
            ["escrow_id"],
            ["settlement_escrow.id"],
            name=op.f("fk_settlement_refund_escrow_id_settlement_escrow"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"],
            ["payments_ledger_journal.id"],
            name=op.f("fk_settlement_refund_journal_id_payments_ledger_journal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_refund")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_settlement_refund_idempotency_key")),
    )
    with op.batch_alter_table("settlement_refund", schema=None) as batch_op:
        batch_op.create_index("ix_settlement_refund_order", ["order_id", "id"], unique=False)
        batch_op.create_index("ix_settlement_refund_seller", ["seller_id", "id"], unique=False)
        batch_op.create_index("ix_settlement_refund_status", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("settlement_refund", schema=None) as batch_op:
        batch_op.drop_index("ix_settlement_refund_status")
        batch_op.drop_index("ix_settlement_refund_seller")
        batch_op.drop_index("ix_settlement_refund_order")

    op.drop_table("settlement_refund")
    op.drop_table("settlement_escrow_line")
    with op.batch_alter_table("settlement_escrow", schema=None) as batch_op:
        batch_op.drop_index("ix_settlement_escrow_seller")
        batch_op.drop_index("ix_settlement_escrow_horizon")
        batch_op.drop_index("ix_settlement_escrow_due")

    op.drop_table("settlement_escrow")
    op.drop_table("settlement_seller_hold")
