"""catalog: categories with typed attributes, listings, variants, images, shipping profiles
and bulk-import jobs

Revision ID: dca3fec1aaca
Revises: 7c4803f8f95b
Create Date: 2026-11-26 07:03:59.299947
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dca3fec1aaca"
down_revision: str | None = "7c4803f8f95b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_category",
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["catalog_category.id"],
            name=op.f("fk_catalog_category_parent_id_catalog_category"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_category")),
        sa.UniqueConstraint("slug", name=op.f("uq_catalog_category_slug")),
    )
    with op.batch_alter_table("catalog_category", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_category_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "catalog_attribute",
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("allowed_values", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_category.id"],
            name=op.f("fk_catalog_attribute_category_id_catalog_category"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_attribute")),
        sa.UniqueConstraint("category_id", "code", name="uq_catalog_attribute_code"),
    )
    with op.batch_alter_table("catalog_attribute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_attribute_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "catalog_import_job",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=True),
        sa.Column("valid_only", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("unchanged_count", sa.Integer(), nullable=False),
        sa.Column("skipped_rows", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_catalog_import_job_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_import_job")),
    )
    with op.batch_alter_table("catalog_import_job", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_import_job_seller", ["seller_id", "id"], unique=False)

    op.create_table(
        "catalog_shipping_profile",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("flat_rate_minor", sa.BigInteger(), nullable=False),
        sa.Column("handling_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_catalog_shipping_profile_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_shipping_profile")),
        sa.UniqueConstraint("seller_id", "name", name="uq_catalog_shipping_profile_name"),
    )
    op.create_table(
        "catalog_listing",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("option_names", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_by", sa.Uuid(), nullable=True),
        sa.Column("shipping_profile_id", sa.Uuid(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_category.id"],
            name=op.f("fk_catalog_listing_category_id_catalog_category"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_catalog_listing_seller_id_sellers_seller"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["shipping_profile_id"],
            ["catalog_shipping_profile.id"],
            name=op.f("fk_catalog_listing_shipping_profile_id_catalog_shipping_profile"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_listing")),
    )
    with op.batch_alter_table("catalog_listing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_listing_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index("ix_catalog_listing_seller", ["seller_id", "id"], unique=False)
        batch_op.create_index("ix_catalog_listing_status", ["status", "id"], unique=False)

    op.create_table(
        "catalog_image",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("small_key", sa.String(length=200), nullable=True),
        sa.Column("large_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["catalog_listing.id"],
            name=op.f("fk_catalog_image_listing_id_catalog_listing"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_image")),
        sa.UniqueConstraint("file_key", name=op.f("uq_catalog_image_file_key")),
        sa.UniqueConstraint("large_key", name=op.f("uq_catalog_image_large_key")),
        sa.UniqueConstraint("small_key", name=op.f("uq_catalog_image_small_key")),
    )
    with op.batch_alter_table("catalog_image", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_image_listing_id"), ["listing_id"], unique=False
        )

    op.create_table(
        "catalog_variant",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["catalog_listing.id"],
            name=op.f("fk_catalog_variant_listing_id_catalog_listing"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_catalog_variant_seller_id_sellers_seller"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_variant")),
        sa.UniqueConstraint("seller_id", "sku", name="uq_catalog_variant_seller_sku"),
    )
    with op.batch_alter_table("catalog_variant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_variant_listing_id"), ["listing_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_variant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_variant_listing_id"))

    op.drop_table("catalog_variant")
    with op.batch_alter_table("catalog_image", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_image_listing_id"))

    op.drop_table("catalog_image")
    with op.batch_alter_table("catalog_listing", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_listing_status")
        batch_op.drop_index("ix_catalog_listing_seller")
        batch_op.drop_index(batch_op.f("ix_catalog_listing_category_id"))

    op.drop_table("catalog_listing")
    op.drop_table("catalog_shipping_profile")
    with op.batch_alter_table("catalog_import_job", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_import_job_seller")

    op.drop_table("catalog_import_job")
    with op.batch_alter_table("catalog_attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_attribute_category_id"))

    op.drop_table("catalog_attribute")
    with op.batch_alter_table("catalog_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_category_parent_id"))

    op.drop_table("catalog_category")
