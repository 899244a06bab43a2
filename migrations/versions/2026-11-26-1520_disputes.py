"""disputes: disputes on order lines (messages, evidence) and returns

Revision ID: f2b8d4e0a7c9
Revises: e1a7c3d9f6b8
Create Date: 2026-11-26 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f2b8d4e0a7c9"
down_revision: str | None = "e1a7c3d9f6b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disputes_dispute",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("open_line_id", sa.Uuid(), nullable=True),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=24), nullable=False),
        sa.Column("line_title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.Column("offered_refund_minor", sa.BigInteger(), nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("auto_escalated", sa.Boolean(), nullable=False),
        sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalate_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["accounts_user.id"],
            name=op.f("fk_disputes_dispute_answered_by_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["accounts_user.id"],
            name=op.f("fk_disputes_dispute_buyer_id_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["accounts_user.id"],
            name=op.f("fk_disputes_dispute_decided_by_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order.id"],
            name=op.f("fk_disputes_dispute_order_id_orders_order"),
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["orders_line.id"],
            name=op.f("fk_disputes_dispute_order_line_id_orders_line"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_disputes_dispute_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes_dispute")),
        sa.UniqueConstraint("open_line_id", name=op.f("uq_disputes_dispute_open_line_id")),
    )
    op.create_index(
        "ix_disputes_dispute_buyer", "disputes_dispute", ["buyer_id", "created_at"], unique=False
    )
    op.create_index("ix_disputes_dispute_order", "disputes_dispute", ["order_id"], unique=False)
    op.create_index(
        "ix_disputes_dispute_seller", "disputes_dispute", ["seller_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_disputes_dispute_status", "disputes_dispute", ["status", "answer_due_at"], unique=False
    )
    op.create_table(
        "disputes_return",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=24), nullable=False),
        sa.Column("line_title", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ship_back_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["accounts_user.id"],
            name=op.f("fk_disputes_return_buyer_id_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders_order.id"], name=op.f("fk_disputes_return_order_id_orders_order")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["orders_line.id"],
            name=op.f("fk_disputes_return_order_line_id_orders_line"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_disputes_return_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes_return")),
    )
    op.create_index(
        "ix_disputes_return_buyer", "disputes_return", ["buyer_id", "created_at"], unique=False
    )
    op.create_index("ix_disputes_return_order", "disputes_return", ["order_id"], unique=False)
    op.create_index(
        "ix_disputes_return_seller",
        "disputes_return",
        ["seller_id", "status", "created_at"],
        unique=False,
    )
    op.create_table(
        "disputes_evidence",
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("author_role", sa.String(length=10), nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes_dispute.id"],
            name=op.f("fk_disputes_evidence_dispute_id_disputes_dispute"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["accounts_user.id"],
            name=op.f("fk_disputes_evidence_uploaded_by_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes_evidence")),
    )
    op.create_index(
        "ix_disputes_evidence_dispute",
        "disputes_evidence",
        ["dispute_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "disputes_message",
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_role", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts_user.id"],
            name=op.f("fk_disputes_message_author_id_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes_dispute.id"],
            name=op.f("fk_disputes_message_dispute_id_disputes_dispute"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes_message")),
    )
    op.create_index(
        "ix_disputes_message_dispute",
        "disputes_message",
        ["dispute_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("disputes_message")
    op.drop_table("disputes_evidence")
    op.drop_table("disputes_return")
    op.drop_table("disputes_dispute")
