"""performance: versioned thresholds, seller standings and their changes, appeals, dispute
response times; and search's list of suppressed sellers

Revision ID: d6f2b8c4e0a3
Revises: c5e1a7b3d0f2
Create Date: 2026-11-26 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d6f2b8c4e0a3"
down_revision: str | None = "c5e1a7b3d0f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_suppressed_seller",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("suppressed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_search_suppressed_seller")),
    )
    op.create_table(
        "performance_threshold_version",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("defect_max_bp", sa.Integer(), nullable=False),
        sa.Column("cancellation_max_bp", sa.Integer(), nullable=False),
        sa.Column("late_shipment_max_bp", sa.Integer(), nullable=False),
        sa.Column("valid_tracking_min_bp", sa.Integer(), nullable=False),
        sa.Column("min_orders", sa.Integer(), nullable=False),
        sa.Column("cooldown_days", sa.Integer(), nullable=False),
        sa.Column("protection_days", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["accounts_user.id"],
            name=op.f("fk_performance_threshold_version_created_by_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_threshold_version")),
        sa.UniqueConstraint("version", name=op.f("uq_performance_threshold_version_version")),
    )
    op.create_table(
        "performance_dispute_response",
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_performance_dispute_response_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_dispute_response")),
        sa.UniqueConstraint("dispute_id", name=op.f("uq_performance_dispute_response_dispute_id")),
    )
    op.create_index(
        "ix_performance_dispute_response_seller",
        "performance_dispute_response",
        ["seller_id", "opened_at"],
        unique=False,
    )

    op.create_table(
        "performance_standing",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("protected_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breaching", sa.Boolean(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_performance_standing_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_standing")),
        sa.UniqueConstraint("seller_id", name=op.f("uq_performance_standing_seller_id")),
    )
    op.create_table(
        "performance_standing_change",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("from_level", sa.SmallInteger(), nullable=False),
        sa.Column("to_level", sa.SmallInteger(), nullable=False),
        sa.Column("cause", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_performance_standing_change_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_standing_change")),
    )
    op.create_index(
        "ix_performance_standing_change_seller",
        "performance_standing_change",
        ["seller_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "performance_appeal",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["performance_standing_change.id"],
            name=op.f("fk_performance_appeal_change_id_performance_standing_change"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["accounts_user.id"],
            name=op.f("fk_performance_appeal_decided_by_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_performance_appeal_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performance_appeal")),
        sa.UniqueConstraint("change_id", name=op.f("uq_performance_appeal_change_id")),
    )
    op.create_index(
        "ix_performance_appeal_status", "performance_appeal", ["status", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_performance_appeal_status", table_name="performance_appeal")

    op.drop_table("performance_appeal")
    op.drop_index("ix_performance_standing_change_seller", table_name="performance_standing_change")

    op.drop_table("performance_standing_change")
    op.drop_table("performance_standing")
    op.drop_index(
        "ix_performance_dispute_response_seller", table_name="performance_dispute_response"
    )

    op.drop_table("performance_dispute_response")
    op.drop_table("performance_threshold_version")
    op.drop_table("search_suppressed_seller")
