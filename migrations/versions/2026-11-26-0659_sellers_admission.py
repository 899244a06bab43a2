"""sellers admission: application, documents, checks, status audit, criteria, terms, payout
and storefront

Revision ID: df46678fa852
Revises: cbfb2c727a93
Create Date: 2026-11-26 06:59:22.173521
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "df46678fa852"
down_revision: str | None = "cbfb2c727a93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "sellers_document_requirement",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("applies_to", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_document_requirement")),
        sa.UniqueConstraint(
            "country", "doc_type", "applies_to", name="uq_sellers_document_requirement_rule"
        ),
    )
    op.create_table(
        "sellers_terms_version",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["accounts_user.id"],
            name=op.f("fk_sellers_terms_version_published_by_accounts_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_terms_version")),
        sa.UniqueConstraint("version", name=op.f("uq_sellers_terms_version_version")),
    )
    op.create_table(
        "sellers_check",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("submission", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_sellers_check_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_check")),
    )
    with op.batch_alter_table("sellers_check", schema=None) as batch_op:
        batch_op.create_index("ix_sellers_check_seller", ["seller_id", "submission"], unique=False)

    op.create_table(
        "sellers_document",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_sellers_document_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_document")),
    )
    with op.batch_alter_table("sellers_document", schema=None) as batch_op:
        batch_op.create_index("ix_sellers_document_seller", ["seller_id"], unique=False)

    op.create_table(
        "sellers_status_change",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["accounts_user.id"],
            name=op.f("fk_sellers_status_change_actor_user_id_accounts_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_sellers_status_change_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_status_change")),
    )
    with op.batch_alter_table("sellers_status_change", schema=None) as batch_op:
        batch_op.create_index("ix_sellers_status_change_seller", ["seller_id"], unique=False)

    op.create_table(
        "sellers_terms_acceptance",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("terms_version_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_sellers_terms_acceptance_seller_id_sellers_seller"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["terms_version_id"],
            ["sellers_terms_version.id"],
            name=op.f("fk_sellers_terms_acceptance_terms_version_id_sellers_terms_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_sellers_terms_acceptance_user_id_accounts_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_terms_acceptance")),
        sa.UniqueConstraint("seller_id", "terms_version_id", name="uq_sellers_terms_acceptance"),
    )
    with op.batch_alter_table("sellers_seller", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("legal_form", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("tax_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("tax_id_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("sells_goods", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("sells_services", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("category_interests", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("submission_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("payout_iban", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("payout_iban_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("payout_iban_last4", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("payout_holder", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("payout_updated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("display_name", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("logo_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("return_policy", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("storefront_updated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("first_listing_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_sellers_seller_payout_iban_index"), ["payout_iban_index"], unique=False
        )
        batch_op.create_index("ix_sellers_seller_status", ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sellers_seller_tax_id_index"), ["tax_id_index"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("sellers_seller", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sellers_seller_tax_id_index"))
        batch_op.drop_index("ix_sellers_seller_status")
        batch_op.drop_index(batch_op.f("ix_sellers_seller_payout_iban_index"))
        batch_op.drop_column("first_listing_at")
        batch_op.drop_column("storefront_updated_at")
        batch_op.drop_column("return_policy")
        batch_op.drop_column("description")
        batch_op.drop_column("logo_key")
        batch_op.drop_column("display_name")
        batch_op.drop_column("payout_updated_at")
        batch_op.drop_column("payout_holder")
        batch_op.drop_column("payout_iban_last4")
        batch_op.drop_column("payout_iban_index")
        batch_op.drop_column("payout_iban")
        batch_op.drop_column("admitted_at")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("submission_count")
        batch_op.drop_column("category_interests")
        batch_op.drop_column("sells_services")
        batch_op.drop_column("sells_goods")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_name")
        batch_op.drop_column("tax_id_index")
        batch_op.drop_column("tax_id")
        batch_op.drop_column("country")
        batch_op.drop_column("legal_form")
        batch_op.drop_column("status_reason")

    op.drop_table("sellers_terms_acceptance")
    with op.batch_alter_table("sellers_status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_sellers_status_change_seller")

    op.drop_table("sellers_status_change")
    with op.batch_alter_table("sellers_document", schema=None) as batch_op:
        batch_op.drop_index("ix_sellers_document_seller")

    op.drop_table("sellers_document")
    with op.batch_alter_table("sellers_check", schema=None) as batch_op:
        batch_op.drop_index("ix_sellers_check_seller")

    op.drop_table("sellers_check")
    op.drop_table("sellers_terms_version")
    op.drop_table("sellers_document_requirement")
