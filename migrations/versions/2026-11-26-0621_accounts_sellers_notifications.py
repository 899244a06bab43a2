"""accounts sellers notifications

Revision ID: d0eae98b631f
Revises:
Create Date: 2026-11-26 06:21:08.295092
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d0eae98b631f"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "accounts_user",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_secret", sa.Text(), nullable=True),
        sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_user")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_user_email")),
    )
    with op.batch_alter_table("accounts_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_user_role"), ["role"], unique=False)

    op.create_table(
        "notifications_mail",
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_mail")),
    )
    with op.batch_alter_table("notifications_mail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_mail_to_address"), ["to_address"], unique=False
        )

    op.create_table(
        "accounts_address",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("line1", sa.Text(), nullable=False),
        sa.Column("line2", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_accounts_address_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_address")),
        sa.UniqueConstraint("user_id", "label", name="uq_accounts_address_user_label"),
    )
    with op.batch_alter_table("accounts_address", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_address_user", ["user_id"], unique=False)

    op.create_table(
        "accounts_recovery_code",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_accounts_recovery_code_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_recovery_code")),
    )
    with op.batch_alter_table("accounts_recovery_code", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_recovery_code_user", ["user_id"], unique=False)

    op.create_table(
        "accounts_session",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_accounts_session_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_accounts_session_token_hash")),
    )
    with op.batch_alter_table("accounts_session", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_session_user", ["user_id"], unique=False)

    op.create_table(
        "accounts_token",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_accounts_token_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_accounts_token_token_hash")),
    )
    with op.batch_alter_table("accounts_token", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accounts_token_user_purpose", ["user_id", "purpose"], unique=False
        )

    op.create_table(
        "sellers_seller",
        sa.Column("owner_user_id", sa.Uuid(), nullable=False),
        sa.Column("business_name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["accounts_user.id"],
            name=op.f("fk_sellers_seller_owner_user_id_accounts_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers_seller")),
        sa.UniqueConstraint("owner_user_id", name=op.f("uq_sellers_seller_owner_user_id")),
    )


def downgrade() -> None:

    op.drop_table("sellers_seller")
    with op.batch_alter_table("accounts_token", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_token_user_purpose")

    op.drop_table("accounts_token")
    with op.batch_alter_table("accounts_session", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_session_user")

    op.drop_table("accounts_session")
    with op.batch_alter_table("accounts_recovery_code", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_recovery_code_user")

    op.drop_table("accounts_recovery_code")
    with op.batch_alter_table("accounts_address", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_address_user")

    op.drop_table("accounts_address")
    with op.batch_alter_table("notifications_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_mail_to_address"))

    op.drop_table("notifications_mail")
    with op.batch_alter_table("accounts_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_user_role"))

    op.drop_table("accounts_user")
