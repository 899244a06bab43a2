"""cart: carts of buyers and guests, their lines and shipping choices; shipping profiles
gain a pricing method (flat, by weight, free above an amount)

Revision ID: a1c4e0f2b9d7
Revises: c6378c508a36
Create Date: 2026-11-26 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c4e0f2b9d7"
down_revision: str | None = "c6378c508a36"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cart_cart",
        sa.Column("buyer_id", sa.Uuid(), nullable=True),
        sa.Column("guest_token_hash", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "buyer_id IS NOT NULL OR guest_token_hash IS NOT NULL", name=op.f("ck_cart_cart_owner")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["accounts_user.id"],
            name=op.f("fk_cart_cart_buyer_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_cart")),
        sa.UniqueConstraint("buyer_id", name=op.f("uq_cart_cart_buyer_id")),
        sa.UniqueConstraint("guest_token_hash", name=op.f("uq_cart_cart_guest_token_hash")),
    )
    op.create_table(
        "cart_shipping_choice",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("shipping_profile_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["cart_cart.id"],
            name=op.f("fk_cart_shipping_choice_cart_id_cart_cart"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_cart_shipping_choice_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipping_profile_id"],
            ["catalog_shipping_profile.id"],
            name=op.f("fk_cart_shipping_choice_shipping_profile_id_catalog_shipping_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_shipping_choice")),
        sa.UniqueConstraint("cart_id", "seller_id", name="uq_cart_shipping_choice_seller"),
    )
    with op.batch_alter_table("cart_shipping_choice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cart_shipping_choice_cart_id"), ["cart_id"], unique=False
        )

    op.create_table(
        "cart_line",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_seen_minor", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_line_quantity")),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["cart_cart.id"],
            name=op.f("fk_cart_line_cart_id_cart_cart"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_cart_line_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["catalog_variant.id"],
            name=op.f("fk_cart_line_variant_id_catalog_variant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_line")),
        sa.UniqueConstraint("cart_id", "variant_id", name="uq_cart_line_variant"),
    )
    with op.batch_alter_table("cart_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cart_line_cart_id"), ["cart_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cart_line_variant_id"), ["variant_id"], unique=False)

    with op.batch_alter_table("catalog_shipping_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("method", sa.String(length=16), server_default="flat", nullable=False)
        )
        batch_op.add_column(
            sa.Column("per_kg_minor", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("free_above_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_shipping_profile", schema=None) as batch_op:
        batch_op.drop_column("free_above_minor")
        batch_op.drop_column("per_kg_minor")
        batch_op.drop_column("method")

    with op.batch_alter_table("cart_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cart_line_variant_id"))
        batch_op.drop_index(batch_op.f("ix_cart_line_cart_id"))

    op.drop_table("cart_line")
    with op.batch_alter_table("cart_shipping_choice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cart_shipping_choice_cart_id"))

    op.drop_table("cart_shipping_choice")
    op.drop_table("cart_cart")
