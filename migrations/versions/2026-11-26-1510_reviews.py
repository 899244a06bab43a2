"""reviews

Revision ID: e1a7c3d9f6b8
Revises: d0f6b2c8e5a7
Create Date: 2026-11-26 15:10:00
"""

from collections.abc import Sequence

revision: str = "e1a7c3d9f6b8"
down_revision: str | None = "d0f6b2c8e5a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
