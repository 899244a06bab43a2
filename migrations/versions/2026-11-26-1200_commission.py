"""commission: versioned commission rules, seller plans and subscriptions, incentives, and the
frozen fee of every paid order line; seeds the standard 10% default rule

Revision ID: e5a1c7d3b9f2
Revises: d4f9b2c7e1a3
Create Date: 2026-11-26 12:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "e5a1c7d3b9f2"
down_revision: str | None = "d4f9b2c7e1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The standard rule every marketplace starts with; operators edit it into new versions.
STANDARD_RULE_ID = uuid.UUID("5e1a7c0d-0000-4000-8000-000000000001")
STANDARD_VERSION_ID = uuid.UUID("5e1a7c0d-0000-4000-8000-000000000002")
STANDARD_RATE_BPS = 1000
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


def _seed_standard_rule() -> None:
    # SQLite stores UTC datetimes without a zone (see mercato.kit.db.UTCDateTime).
    since = SINCE.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else SINCE
    rule = sa.table(
        "commission_rule",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("scope", sa.String()),
        sa.column("category_id", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    version = sa.table(
        "commission_rule_version",
        sa.column("id", sa.Uuid()),
        sa.column("rule_id", sa.Uuid()),
        sa.column("version", sa.Integer()),
        sa.column("rate_bps", sa.Integer()),
        sa.column("tiers", sa.JSON()),
        sa.column("tier_mode", sa.String()),
        sa.column("fixed_per_item_minor", sa.BigInteger()),
        sa.column("fixed_per_order_minor", sa.BigInteger()),
        sa.column("min_fee_minor", sa.BigInteger()),
        sa.column("max_fee_minor", sa.BigInteger()),
        sa.column("currency", sa.String()),
        sa.column("effective_from", sa.DateTime(timezone=True)),
        sa.column("effective_to", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        rule,
        [
            {
                "id": STANDARD_RULE_ID,
                "name": "Standard commission",
                "scope": "default",
                "category_id": None,
                "created_at": since,
            }
        ],
    )
    op.bulk_insert(
        version,
        [
            {
                "id": STANDARD_VERSION_ID,
                "rule_id": STANDARD_RULE_ID,
                "version": 1,
                "rate_bps": STANDARD_RATE_BPS,
                "tiers": [],
                "tier_mode": "marginal",
                "fixed_per_item_minor": 0,
                "fixed_per_order_minor": 0,
                "min_fee_minor": None,
                "max_fee_minor": None,
                "currency": None,
                "effective_from": since,
                "effective_to": None,
                "created_at": since,
            }
        ],
    )


def upgrade() -> None:
    op.create_table(
        "commission_fee_line",
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("gross_minor", sa.BigInteger(), nullable=False),
        sa.Column("fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("rule_version_id", sa.Uuid(), nullable=True),
        sa.Column("rule_name", sa.String(length=120), nullable=False),
        sa.Column("explanation", sa.String(length=300), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "fee_minor + net_minor = gross_minor", name=op.f("ck_commission_fee_line_split_exact")
        ),
        sa.CheckConstraint(
            "fee_minor >= 0 AND fee_minor <= gross_minor",
            name=op.f("ck_commission_fee_line_fee_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_fee_line")),
        sa.UniqueConstraint("line_id", name=op.f("uq_commission_fee_line_line_id")),
    )
    with op.batch_alter_table("commission_fee_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_fee_line_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            "ix_commission_fee_line_seller_paid", ["seller_id", "currency", "paid_at"], unique=False
        )

    op.create_table(
        "commission_incentive",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_seller_days", sa.Integer(), nullable=True),
        sa.Column("volume_cap_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("seller_ids", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "rate_bps >= 0 AND rate_bps <= 10000", name=op.f("ck_commission_incentive_rate_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_incentive")),
    )
    op.create_table(
        "commission_plan",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("monthly_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("listing_limit", sa.Integer(), nullable=True),
        sa.Column("rate_bps", sa.Integer(), nullable=True),
        sa.Column("discount_bps", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "discount_bps >= 0 AND discount_bps <= 10000",
            name=op.f("ck_commission_plan_discount_range"),
        ),
        sa.CheckConstraint("monthly_fee_minor >= 0", name=op.f("ck_commission_plan_fee_nonneg")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_plan")),
        sa.UniqueConstraint("code", name=op.f("uq_commission_plan_code")),
    )
    op.create_table(
        "commission_rule",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_rule")),
    )
    with op.batch_alter_table("commission_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_rule_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "commission_rule_version",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("tier_mode", sa.String(length=20), nullable=False),
        sa.Column("fixed_per_item_minor", sa.BigInteger(), nullable=False),
        sa.Column("fixed_per_order_minor", sa.BigInteger(), nullable=False),
        sa.Column("min_fee_minor", sa.BigInteger(), nullable=True),
        sa.Column("max_fee_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "fixed_per_item_minor >= 0", name=op.f("ck_commission_rule_version_fixed_item_nonneg")
        ),
        sa.CheckConstraint(
            "fixed_per_order_minor >= 0", name=op.f("ck_commission_rule_version_fixed_order_nonneg")
        ),
        sa.CheckConstraint(
            "rate_bps >= 0 AND rate_bps <= 10000",
            name=op.f("ck_commission_rule_version_rate_range"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["commission_rule.id"],
            name=op.f("fk_commission_rule_version_rule_id_commission_rule"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_rule_version")),
        sa.UniqueConstraint("rule_id", "version", name="uq_commission_rule_version_rule_version"),
    )
    with op.batch_alter_table("commission_rule_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_rule_version_effective_from"),
            ["effective_from"],
            unique=False,
        )

    op.create_table(
        "commission_subscription",
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["commission_plan.id"],
            name=op.f("fk_commission_subscription_plan_id_commission_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_subscription")),
    )
    with op.batch_alter_table("commission_subscription", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commission_subscription_seller", ["seller_id", "started_at"], unique=False
        )
    _seed_standard_rule()


def downgrade() -> None:
    with op.batch_alter_table("commission_subscription", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_subscription_seller")

    op.drop_table("commission_subscription")
    with op.batch_alter_table("commission_rule_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_rule_version_effective_from"))

    op.drop_table("commission_rule_version")
    with op.batch_alter_table("commission_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_rule_category_id"))

    op.drop_table("commission_rule")
    op.drop_table("commission_plan")
    op.drop_table("commission_incentive")
    with op.batch_alter_table("commission_fee_line", schema=None) as batch_op:
        batch_op.drop_index("ix_commission_fee_line_seller_paid")
        batch_op.drop_index(batch_op.f("ix_commission_fee_line_order_id"))

    op.drop_table("commission_fee_line")
