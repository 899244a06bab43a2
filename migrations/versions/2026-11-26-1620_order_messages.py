"""orders: buyer and seller messages about an order; governance: respond-by deadlines, one per
buyer message that opened one (so an order may have several)

Revision ID: f8b4d0e6a2c5
Revises: e7a3c9d5f1b4
Create Date: 2026-11-26 16:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f8b4d0e6a2c5"
down_revision: str | None = "e7a3c9d5f1b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEADLINES = "governance_sla_deadline"
ORDER_KIND_INDEX = "uq_governance_sla_deadline_order_kind"
# The deadline columns before this revision, in the order of the original table.
DEADLINE_COLUMNS = (
    "order_id",
    "seller_id",
    "policy_version_id",
    "order_number",
    "kind",
    "due_at",
    "remind_at",
    "reminded_at",
    "met_at",
    "breached_at",
    "stopped_at",
    "id",
)


def upgrade() -> None:
    _create_messages()
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_deadlines_on_sqlite(per_message=True)
        return
    op.add_column(DEADLINES, sa.Column("message_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_governance_sla_deadline_message_id_orders_message"),
        DEADLINES,
        "orders_message",
        ["message_id"],
        ["id"],
    )
    op.create_unique_constraint(
        op.f("uq_governance_sla_deadline_message_id"), DEADLINES, ["message_id"]
    )
    op.drop_constraint(op.f("uq_governance_sla_deadline_order_id"), DEADLINES, type_="unique")
    _create_order_kind_index()


def downgrade() -> None:
    # The earlier schema allows one deadline per kind and order: the respond-by deadlines,
    # their breaches and warnings go.
    respond = f"SELECT id FROM {DEADLINES} WHERE message_id IS NOT NULL"
    breaches = f"SELECT id FROM governance_sla_breach WHERE deadline_id IN ({respond})"
    op.execute(f"DELETE FROM governance_seller_warning WHERE breach_id IN ({breaches})")
    op.execute(f"DELETE FROM governance_sla_breach WHERE deadline_id IN ({respond})")
    op.execute(f"DELETE FROM {DEADLINES} WHERE message_id IS NOT NULL")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_deadlines_on_sqlite(per_message=False)
    else:
        op.drop_index(ORDER_KIND_INDEX, table_name=DEADLINES)
        op.create_unique_constraint(
            op.f("uq_governance_sla_deadline_order_id"), DEADLINES, ["order_id", "kind"]
        )
        op.drop_constraint(op.f("uq_governance_sla_deadline_message_id"), DEADLINES, type_="unique")
        op.drop_constraint(
            op.f("fk_governance_sla_deadline_message_id_orders_message"),
            DEADLINES,
            type_="foreignkey",
        )
        op.drop_column(DEADLINES, "message_id")
    op.drop_index("ix_orders_message_waiting", table_name="orders_message")
    op.drop_index("ix_orders_message_order", table_name="orders_message")
    op.drop_table("orders_message")


def _create_messages() -> None:
    op.create_table(
        "orders_message",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["accounts_user.id"],
            name=op.f("fk_orders_message_author_user_id_accounts_user"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders_order.id"], name=op.f("fk_orders_message_order_id_orders_order")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["sellers_seller.id"],
            name=op.f("fk_orders_message_seller_id_sellers_seller"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_message")),
    )
    op.create_index("ix_orders_message_order", "orders_message", ["order_id", "created_at"])
    op.create_index(
        "ix_orders_message_waiting", "orders_message", ["seller_id", "author", "answered_at"]
    )


def _create_order_kind_index() -> None:
    """One deadline of each kind per order, the respond-by deadlines (one per message) aside."""
    op.create_index(
        ORDER_KIND_INDEX,
        DEADLINES,
        ["order_id", "kind"],
        unique=True,
        postgresql_where=sa.text("message_id IS NULL"),
        sqlite_where=sa.text("message_id IS NULL"),
    )


def _deadline_table(per_message: bool) -> None:
    columns = [
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
    ]
    constraints: list[sa.Constraint] = [
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
    ]
    if per_message:
        columns.append(sa.Column("message_id", sa.Uuid(), nullable=True))
        constraints += [
            sa.ForeignKeyConstraint(
                ["message_id"],
                ["orders_message.id"],
                name=op.f("fk_governance_sla_deadline_message_id_orders_message"),
            ),
            sa.UniqueConstraint("message_id", name=op.f("uq_governance_sla_deadline_message_id")),
        ]
    else:
        constraints.append(
            sa.UniqueConstraint(
                "order_id", "kind", name=op.f("uq_governance_sla_deadline_order_id")
            )
        )
    op.create_table(DEADLINES, *columns, *constraints)


def _rebuild_deadlines_on_sqlite(*, per_message: bool) -> None:
    """SQLite cannot change a table's constraints in place: copy the rows aside, recreate the
    table, put them back. Breaches reference the deadlines and foreign keys are enforced, and
    the switch cannot be turned off inside the migration's transaction: the checks are
    deferred to the commit instead, by which time every referenced row is back."""
    columns = ", ".join(DEADLINE_COLUMNS)
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(f"CREATE TABLE _deadline_copy AS SELECT {columns} FROM {DEADLINES}")
    op.drop_table(DEADLINES)
    _deadline_table(per_message)
    op.execute(f"INSERT INTO {DEADLINES} ({columns}) SELECT {columns} FROM _deadline_copy")
    op.execute("DROP TABLE _deadline_copy")
    op.create_index("ix_governance_sla_deadline_due", DEADLINES, ["due_at"])
    op.create_index("ix_governance_sla_deadline_remind", DEADLINES, ["remind_at"])
    op.create_index("ix_governance_sla_deadline_seller", DEADLINES, ["seller_id", "due_at"])
    if per_message:
        _create_order_kind_index()
