"""audit

Revision ID: d0f6b2c8e5a7
Revises: c9e5a1b7d4f6
Create Date: 2026-11-26 15:00:00
"""

from collections.abc import Sequence

revision: str = "d0f6b2c8e5a7"
down_revision: str | None = "c9e5a1b7d4f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
