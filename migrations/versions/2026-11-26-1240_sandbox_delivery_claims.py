"""sandbox delivery claims

A webhook delivery run of the sandbox provider claims the events it sends until a lease ends,
so that concurrent runs (one per payment confirmed at the same moment) send disjoint events
instead of each sending every pending one.

Revision ID: c9e5a1b7d4f6
Revises: b8d4f0a6c3e5
Create Date: 2026-11-26 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c9e5a1b7d4f6"
down_revision: str | None = "b8d4f0a6c3e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments_sandbox_event") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments_sandbox_event") as batch:
        batch.drop_column("claimed_until")
