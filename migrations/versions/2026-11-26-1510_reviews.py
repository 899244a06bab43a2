"""reviews: reviews of order lines, seller replies, reports, moderation decisions; the search
index's rating columns

Revision ID: e1a7c3d9f6b8
Revises: d0f6b2c8e5a7
Create Date: 2026-11-26 15:10:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "e1a7c3d9f6b8"
down_revision: str | None = "d0f6b2c8e5a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id_and_times() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _foreign_key(table: str, column: str, target: str, **options: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), **options
    )


def _create_review() -> None:
    table = "reviews_review"
    op.create_table(
        table,
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_name", sa.String(length=120), nullable=False),
        sa.Column("item_title", sa.String(length=200), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        *_id_and_times(),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_review_rating")),
        _foreign_key(table, "order_id", "orders_order"),
        _foreign_key(table, "order_line_id", "orders_line"),
        _foreign_key(table, "listing_id", "catalog_listing"),
        _foreign_key(table, "seller_id", "sellers_seller"),
        _foreign_key(table, "buyer_id", "accounts_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_review")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_reviews_review_order_line_id")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_review_listing", ["listing_id", "status", "rating"], unique=False
        )
        batch_op.create_index(
            "ix_reviews_review_seller", ["seller_id", "status", "rating"], unique=False
        )
        batch_op.create_index("ix_reviews_review_buyer", ["buyer_id", "id"], unique=False)


def _create_reply_and_report() -> None:
    op.create_table(
        "reviews_reply",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_id_and_times(),
        _foreign_key("reviews_reply", "review_id", "reviews_review", ondelete="CASCADE"),
        _foreign_key("reviews_reply", "seller_id", "sellers_seller"),
        _foreign_key("reviews_reply", "author_user_id", "accounts_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_reply")),
        sa.UniqueConstraint("review_id", name=op.f("uq_reviews_reply_review_id")),
    )
    op.create_table(
        "reviews_report",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        *_id_and_times(),
        _foreign_key("reviews_report", "review_id", "reviews_review", ondelete="CASCADE"),
        _foreign_key("reviews_report", "reporter_id", "accounts_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_report")),
        sa.UniqueConstraint("review_id", "reporter_id", name=op.f("uq_reviews_report_review_id")),
    )
    with op.batch_alter_table("reviews_report", schema=None) as batch_op:
        batch_op.create_index("ix_reviews_report_status", ["status", "review_id"], unique=False)


def _create_decision() -> None:
    op.create_table(
        "reviews_decision",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _foreign_key("reviews_decision", "review_id", "reviews_review", ondelete="CASCADE"),
        _foreign_key("reviews_decision", "decided_by_user_id", "accounts_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews_decision")),
    )
    with op.batch_alter_table("reviews_decision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_decision_review", ["review_id", "created_at"], unique=False
        )


def upgrade() -> None:
    _create_review()
    _create_reply_and_report()
    _create_decision()
    # Plain ADD COLUMN on both engines (SQLite's batch mode does not rebuild the table for
    # it), so the full-text triggers and virtual table of search_document stay as they are.
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("rating_tenths", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_search_document_rating_tenths"), ["rating_tenths"], unique=False
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would lose the full-text triggers.
    op.drop_index(op.f("ix_search_document_rating_tenths"), table_name="search_document")
    op.drop_column("search_document", "rating_tenths")
    op.drop_column("search_document", "rating_count")
    op.drop_table("reviews_decision")
    op.drop_table("reviews_report")
    op.drop_table("reviews_reply")
    op.drop_table("reviews_review")
