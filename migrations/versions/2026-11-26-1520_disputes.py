"""disputes

Revision ID: f2b8d4e0a7c9
Revises: e1a7c3d9f6b8
Create Date: 2026-11-26 15:20:00
"""

from collections.abc import Sequence

revision: str = "f2b8d4e0a7c9"
down_revision: str | None = "e1a7c3d9f6b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
