"""governance: the escrow hold as a versioned policy

The category hold periods become the category overrides of an active ``escrow_hold`` policy
version (created in the name of the first admin, when there were any), and their table goes.
A seller's own hold records who set it and why.

Revision ID: e7a3c9d5f1b4
Revises: d6f2b8c4e0a3
Create Date: 2026-11-26 16:10:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from uuid6 import uuid7

revision: str = "e7a3c9d5f1b4"
down_revision: str | None = "d6f2b8c4e0a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "escrow_hold"
CARRIED_OVER = "Carried over from the category hold periods"
EARLIER_HOLD = "Set before reasons were recorded."

category_hold = sa.table(
    "settlement_category_hold",
    sa.column("id", sa.Uuid()),
    sa.column("category_id", sa.Uuid()),
    sa.column("hold_days", sa.Integer()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
policy_version = sa.table(
    "governance_policy_version",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("title", sa.String()),
    sa.column("body", sa.Text()),
    sa.column("parameters", sa.JSON()),
    sa.column("overrides", sa.JSON()),
    sa.column("reason", sa.Text()),
    sa.column("created_by", sa.Uuid()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("effective_from", sa.DateTime(timezone=True)),
    sa.column("activated_by", sa.Uuid()),
    sa.column("activated_at", sa.DateTime(timezone=True)),
    sa.column("activation_reason", sa.Text()),
)
user = sa.table(
    "accounts_user",
    sa.column("id", sa.Uuid()),
    sa.column("role", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
category = sa.table("catalog_category", sa.column("id", sa.Uuid()))


def _now() -> datetime:
    """Now, as the application stores it: naive UTC on SQLite, aware elsewhere."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else now


def upgrade() -> None:
    with op.batch_alter_table("settlement_seller_hold") as batch:
        batch.add_column(sa.Column("set_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_settlement_seller_hold_set_by_accounts_user"),
            "accounts_user",
            ["set_by"],
            ["id"],
        )
    op.execute(
        sa.text("UPDATE settlement_seller_hold SET reason = :reason").bindparams(
            reason=EARLIER_HOLD
        )
    )
    with op.batch_alter_table("settlement_seller_hold") as batch:
        batch.alter_column("reason", existing_type=sa.Text(), nullable=False)
    _carry_category_holds_over()
    op.drop_table("settlement_category_hold")


def _carry_category_holds_over() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(category_hold.c.category_id, category_hold.c.hold_days)).all()
    if not rows:
        return
    author = _first_admin()
    overrides = [
        {"category_id": str(category_id), "parameters": {"hold_days": int(days)}}
        for category_id, days in sorted(rows, key=lambda row: str(row[0]))
    ]
    latest = bind.execute(
        sa.select(sa.func.max(policy_version.c.version)).where(policy_version.c.kind == KIND)
    ).scalar()
    now = _now()
    bind.execute(
        policy_version.insert().values(
            id=_new_id(),
            kind=KIND,
            version=int(latest or 0) + 1,
            status="active",
            title="Escrow hold periods",
            body="",
            # No base period: the platform default (MERCATO_SETTLEMENT_HOLD_DAYS) still applies.
            parameters={},
            overrides=overrides,
            reason=CARRIED_OVER,
            created_by=author,
            created_at=now,
            effective_from=now,
            activated_by=author,
            activated_at=now,
            activation_reason=CARRIED_OVER,
        )
    )


def _first_admin() -> uuid.UUID:
    """The first admin (a category hold could only be set by one), else the first user."""
    bind = op.get_bind()
    for condition in (user.c.role == "admin", sa.true()):
        found = bind.execute(
            sa.select(user.c.id).where(condition).order_by(user.c.created_at, user.c.id).limit(1)
        ).scalar()
        if found is not None:
            return found
    raise RuntimeError("Category hold periods exist but no user could own the policy version.")


def downgrade() -> None:
    op.create_table(
        "settlement_category_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("hold_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_category.id"],
            name=op.f("fk_settlement_category_hold_category_id_catalog_category"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_category_hold")),
        sa.UniqueConstraint("category_id", name=op.f("uq_settlement_category_hold_category_id")),
    )
    _restore_category_holds()
    # The earlier code knows no escrow hold policy: its versions go.
    op.execute(sa.delete(policy_version).where(policy_version.c.kind == KIND))
    with op.batch_alter_table("settlement_seller_hold") as batch:
        batch.drop_constraint(
            op.f("fk_settlement_seller_hold_set_by_accounts_user"), type_="foreignkey"
        )
        batch.drop_column("reason")
        batch.drop_column("set_by")


def _restore_category_holds() -> None:
    """The category periods of the escrow hold version in force become category holds again."""
    bind = op.get_bind()
    now = _now()
    in_force = bind.execute(
        sa.select(policy_version.c.overrides)
        .where(
            policy_version.c.kind == KIND,
            policy_version.c.status == "active",
            policy_version.c.effective_from <= now,
        )
        .order_by(policy_version.c.effective_from.desc(), policy_version.c.version.desc())
        .limit(1)
    ).scalar()
    existing = {str(row[0]) for row in bind.execute(sa.select(category.c.id)).all()}
    for item in in_force or []:
        days = (item.get("parameters") or {}).get("hold_days")
        if days is None or item["category_id"] not in existing:
            continue
        bind.execute(
            category_hold.insert().values(
                id=_new_id(),
                category_id=uuid.UUID(item["category_id"]),
                hold_days=int(days),
                updated_at=now,
            )
        )


def _new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid7().bytes)
