"""orders: order groups (one per checkout), orders per seller, lines and transitions

Revision ID: b7d2f3a8c915
Revises: a1c4e0f2b9d7
Create Date: 2026-11-26 09:14:59.028018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2f3a8c915"
down_revision: str | None = "a1c4e0f2b9d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "orders_group",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("items_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_address", sa.JSON(), nullable=True),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("payment_key", sa.String(length=255), nullable=True),
        sa.Column("payment_attempts", sa.Integer(), nullable=False),
        sa.Column("reserved_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stock_released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["accounts_user.id"], name=op.f("fk_orders_group_buyer_id_accounts_user")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments_payment.id"],
            name=op.f("fk_orders_group_payment_id_payments_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_group")),
        sa.UniqueConstraint("buyer_id", "idempotency_key", name=op.f("uq_orders_group_buyer_id")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_group_number")),
    )
    with op.batch_alter_table("orders_group", schema=None) as batch_op:
        batch_op.create_index("ix_orders_group_buyer", ["buyer_id", "id"], unique=False)
        batch_op.create_index(
            "ix_orders_group_reservation", ["status", "reserved_until"], unique=False
        )

    op.create_table(
        "orders_order",
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("items_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_minor", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("escrow_account", sa.String(length=200), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("shipping_profile_id", sa.Uuid(), nullable=True),
        sa.Column("shipping_name", sa.String(length=80), nullable=True),
        sa.Column("handling_days", sa.Integer(), nullable=True),
        sa.Column("carrier", sa.String(length=60), nullable=True),
        sa.Column("tracking_number", sa.String(length=60), nullable=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("canceled_by", sa.String(length=10), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "total_minor = items_minor + shipping_minor", name=op.f("ck_orders_order_total")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["accounts_user.id"], name=op.f("fk_orders_order_buyer_id_accounts_user")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["orders_group.id"], name=op.f("fk_orders_order_group_id_orders_group")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_orders_order_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_order")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_order_number")),
    )
    with op.batch_alter_table("orders_order", schema=None) as batch_op:
        batch_op.create_index("ix_orders_order_buyer", ["buyer_id", "id"], unique=False)
        batch_op.create_index("ix_orders_order_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_orders_order_group", ["group_id"], unique=False)
        batch_op.create_index("ix_orders_order_seller", ["seller_id", "status", "id"], unique=False)

    op.create_table(
        "orders_transition",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=10), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order.id"],
            name=op.f("fk_orders_transition_order_id_orders_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_transition")),
    )
    with op.batch_alter_table("orders_transition", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_transition_order", ["order_id", "created_at"], unique=False
        )

    op.create_table(
        "orders_line",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "line_total_minor = unit_price_minor * quantity", name=op.f("ck_orders_line_line_total")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_orders_line_quantity")),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["catalog_listing.id"],
            name=op.f("fk_orders_line_listing_id_catalog_listing"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders_order.id"], name=op.f("fk_orders_line_order_id_orders_order")
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["catalog_variant.id"],
            name=op.f("fk_orders_line_variant_id_catalog_variant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_line")),
    )
    with op.batch_alter_table("orders_line", schema=None) as batch_op:
        batch_op.create_index("ix_orders_line_order", ["order_id"], unique=False)
        batch_op.create_index("ix_orders_line_variant", ["variant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders_line", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_line_variant")
        batch_op.drop_index("ix_orders_line_order")

    op.drop_table("orders_line")
    with op.batch_alter_table("orders_transition", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_transition_order")

    op.drop_table("orders_transition")
    with op.batch_alter_table("orders_order", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_order_seller")
        batch_op.drop_index("ix_orders_order_group")
        batch_op.drop_index("ix_orders_order_due")
        batch_op.drop_index("ix_orders_order_buyer")

    op.drop_table("orders_order")
    with op.batch_alter_table("orders_group", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_group_reservation")
        batch_op.drop_index("ix_orders_group_buyer")

    op.drop_table("orders_group")
