"""payments: ledger (append-only), payments, webhook inbox, sandbox provider state

Revision ID: c6378c508a36
Revises: dca3fec1aaca
Create Date: 2026-11-26 07:12:01.721359
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6378c508a36"
down_revision: str | None = "dca3fec1aaca"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments_ledger_balance",
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_ledger_balance")),
        sa.UniqueConstraint("account", "currency", name=op.f("uq_payments_ledger_balance_account")),
    )
    op.create_table(
        "payments_ledger_journal",
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reverses_journal_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverses_journal_id"],
            ["payments_ledger_journal.id"],
            name=op.f("fk_payments_ledger_journal_reverses_journal_id_payments_ledger_journal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_ledger_journal")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_payments_ledger_journal_idempotency_key")
        ),
        sa.UniqueConstraint(
            "reverses_journal_id", name=op.f("uq_payments_ledger_journal_reverses_journal_id")
        ),
    )
    with op.batch_alter_table("payments_ledger_journal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_ledger_journal_reference"), ["reference"], unique=False
        )

    op.create_table(
        "payments_sandbox_card_token",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("brand", sa.String(length=20), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("exp_month", sa.SmallInteger(), nullable=False),
        sa.Column("exp_year", sa.SmallInteger(), nullable=False),
        sa.Column("behaviour", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_sandbox_card_token")),
    )
    op.create_table(
        "payments_sandbox_event",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_sandbox_event")),
    )
    with op.batch_alter_table("payments_sandbox_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_sandbox_event_pending", ["delivered_at", "id"], unique=False
        )

    op.create_table(
        "payments_webhook_inbox",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("provider_payment_id", sa.String(length=255), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_webhook_inbox")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_payments_webhook_inbox_provider")
        ),
    )
    with op.batch_alter_table("payments_webhook_inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_webhook_inbox_payment", ["provider", "provider_payment_id"], unique=False
        )

    op.create_table(
        "payments_ledger_posting",
        sa.Column("journal_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_payments_ledger_posting_nonzero")),
        sa.ForeignKeyConstraint(
            ["journal_id"],
            ["payments_ledger_journal.id"],
            name=op.f("fk_payments_ledger_posting_journal_id_payments_ledger_journal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_ledger_posting")),
    )
    with op.batch_alter_table("payments_ledger_posting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_ledger_posting_account", ["account", "currency"], unique=False
        )
        batch_op.create_index("ix_payments_ledger_posting_journal", ["journal_id"], unique=False)

    op.create_table(
        "payments_payment",
        sa.Column("payer_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("provider_idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("provider_payment_id", sa.String(length=255), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("purpose_reference", sa.String(length=200), nullable=False),
        sa.Column("return_url", sa.Text(), nullable=False),
        sa.Column("redirect_url", sa.Text(), nullable=True),
        sa.Column("split", sa.JSON(), nullable=False),
        sa.Column("card_token", sa.String(length=255), nullable=True),
        sa.Column("card_brand", sa.String(length=20), nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("card_exp_month", sa.SmallInteger(), nullable=True),
        sa.Column("card_exp_year", sa.SmallInteger(), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("capture_journal_id", sa.Uuid(), nullable=True),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["capture_journal_id"],
            ["payments_ledger_journal.id"],
            name=op.f("fk_payments_payment_capture_journal_id_payments_ledger_journal"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["accounts_user.id"],
            name=op.f("fk_payments_payment_payer_id_accounts_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_payment")),
        sa.UniqueConstraint(
            "payer_id", "idempotency_key", name=op.f("uq_payments_payment_payer_id")
        ),
        sa.UniqueConstraint(
            "provider", "provider_payment_id", name=op.f("uq_payments_payment_provider")
        ),
    )
    with op.batch_alter_table("payments_payment", schema=None) as batch_op:
        batch_op.create_index("ix_payments_payment_payer", ["payer_id"], unique=False)
        batch_op.create_index("ix_payments_payment_reference", ["purpose_reference"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_payment_status"), ["status"], unique=False)

    op.create_table(
        "payments_sandbox_payment",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("params_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("captured_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.Column("return_url", sa.Text(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("card_token", sa.String(length=64), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("settle_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settle_outcome", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_token"],
            ["payments_sandbox_card_token.id"],
            name=op.f("fk_payments_sandbox_payment_card_token_payments_sandbox_card_token"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_sandbox_payment")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_payments_sandbox_payment_idempotency_key")
        ),
    )
    with op.batch_alter_table("payments_sandbox_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_sandbox_payment_settle_at"), ["settle_at"], unique=False
        )

    op.create_table(
        "payments_payment_transition",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments_payment.id"],
            name=op.f("fk_payments_payment_transition_payment_id_payments_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_payment_transition")),
    )
    with op.batch_alter_table("payments_payment_transition", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payments_payment_transition_payment", ["payment_id"], unique=False
        )

    op.create_table(
        "payments_sandbox_operation",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("params_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("destination", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments_sandbox_payment.id"],
            name=op.f("fk_payments_sandbox_operation_payment_id_payments_sandbox_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_sandbox_operation")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_payments_sandbox_operation_idempotency_key")
        ),
    )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("payments_sandbox_operation")
    with op.batch_alter_table("payments_payment_transition", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_payment_transition_payment")

    op.drop_table("payments_payment_transition")
    with op.batch_alter_table("payments_sandbox_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_sandbox_payment_settle_at"))

    op.drop_table("payments_sandbox_payment")
    with op.batch_alter_table("payments_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_payment_status"))
        batch_op.drop_index("ix_payments_payment_reference")
        batch_op.drop_index("ix_payments_payment_payer")

    op.drop_table("payments_payment")
    with op.batch_alter_table("payments_ledger_posting", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_ledger_posting_journal")
        batch_op.drop_index("ix_payments_ledger_posting_account")

    op.drop_table("payments_ledger_posting")
    with op.batch_alter_table("payments_webhook_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_webhook_inbox_payment")

    op.drop_table("payments_webhook_inbox")
    with op.batch_alter_table("payments_sandbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_sandbox_event_pending")

    op.drop_table("payments_sandbox_event")
    op.drop_table("payments_sandbox_card_token")
    with op.batch_alter_table("payments_ledger_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_ledger_journal_reference"))

    op.drop_table("payments_ledger_journal")
    op.drop_table("payments_ledger_balance")


# Journals and postings are never updated or deleted: corrections are reversing journals.
APPEND_ONLY = ("payments_ledger_journal", "payments_ledger_posting")


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION payments_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the ledger is append-only: % on % refused', "
            "TG_OP, TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION payments_ledger_append_only()"
            )
    elif dialect == "sqlite":
        for table in APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
                )


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS payments_ledger_append_only()")
    elif dialect == "sqlite":
        for table in APPEND_ONLY:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
