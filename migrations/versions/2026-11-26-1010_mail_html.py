"""notifications mail html: an optional HTML alternative next to the text body

Revision ID: c3e8a1d4f6b2
Revises: b7d2f3a8c915
Create Date: 2026-11-26 10:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3e8a1d4f6b2"
down_revision: str | None = "b7d2f3a8c915"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("notifications_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("notifications_mail", schema=None) as batch_op:
        batch_op.drop_column("body_html")
