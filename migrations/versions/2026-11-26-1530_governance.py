"""governance: versioned policies (buyer terms, SLA), terms acceptances, SLA deadlines per order,
their breaches and the warnings sent to sellers

Revision ID: a3c9e5f1b8d0
Revises: f2b8d4e0a7c9
Create Date: 2026-11-26 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c9e5f1b8d0"
down_revision: str | None = "f2b8d4e0a7c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "governance_policy_version",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_by", sa.Uuid(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activation_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activated_by"],
            ["accounts_user.id"],
            name=op.f("fk_governance_policy_version_activated_by_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["accounts_user.id"],
            name=op.f("fk_governance_policy_version_created_by_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_policy_version")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_governance_policy_version_kind")),
    )
    op.create_index(
        "ix_governance_policy_version_in_force",
        "governance_policy_version",
        ["kind", "status", "effective_from"],
    )
    op.create_table(
        "governance_terms_acceptance",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_governance_terms_acceptance_user_id_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["governance_policy_version.id"],
            name=op.f("fk_governance_terms_acceptance_version_id_governance_policy_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_terms_acceptance")),
        sa.UniqueConstraint(
            "user_id", "version_id", name=op.f("uq_governance_terms_acceptance_user_id")
        ),
    )
    op.create_table(
        "governance_sla_deadline",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("policy_version_id", sa.Uuid(), nullable=True),
        sa.Column("order_number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order.id"],
            name=op.f("fk_governance_sla_deadline_order_id_orders_order"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["governance_policy_version.id"],
            name=op.f("fk_governance_sla_deadline_policy_version_id_governance_policy_version"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_governance_sla_deadline_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_sla_deadline")),
        sa.UniqueConstraint("order_id", "kind", name=op.f("uq_governance_sla_deadline_order_id")),
    )
    op.create_index("ix_governance_sla_deadline_due", "governance_sla_deadline", ["due_at"])
    op.create_index("ix_governance_sla_deadline_remind", "governance_sla_deadline", ["remind_at"])
    op.create_index(
        "ix_governance_sla_deadline_seller", "governance_sla_deadline", ["seller_id", "due_at"]
    )
    op.create_table(
        "governance_sla_breach",
        sa.Column("deadline_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["governance_sla_deadline.id"],
            name=op.f("fk_governance_sla_breach_deadline_id_governance_sla_deadline"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order.id"],
            name=op.f("fk_governance_sla_breach_order_id_orders_order"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_governance_sla_breach_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_sla_breach")),
        sa.UniqueConstraint("deadline_id", name=op.f("uq_governance_sla_breach_deadline_id")),
    )
    op.create_index(
        "ix_governance_sla_breach_seller", "governance_sla_breach", ["seller_id", "detected_at"]
    )
    op.create_table(
        "governance_seller_warning",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("breach_id", sa.Uuid(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["breach_id"],
            ["governance_sla_breach.id"],
            name=op.f("fk_governance_seller_warning_breach_id_governance_sla_breach"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_governance_seller_warning_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_seller_warning")),
        sa.UniqueConstraint("breach_id", name=op.f("uq_governance_seller_warning_breach_id")),
    )
    op.create_index(
        "ix_governance_seller_warning_seller",
        "governance_seller_warning",
        ["seller_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_governance_seller_warning_seller", table_name="governance_seller_warning")
    op.drop_table("governance_seller_warning")
    op.drop_index("ix_governance_sla_breach_seller", table_name="governance_sla_breach")
    op.drop_table("governance_sla_breach")
    op.drop_index("ix_governance_sla_deadline_seller", table_name="governance_sla_deadline")
    op.drop_index("ix_governance_sla_deadline_remind", table_name="governance_sla_deadline")
    op.drop_index("ix_governance_sla_deadline_due", table_name="governance_sla_deadline")
    op.drop_table("governance_sla_deadline")
    op.drop_table("governance_terms_acceptance")
    op.drop_index("ix_governance_policy_version_in_force", table_name="governance_policy_version")
    op.drop_table("governance_policy_version")
