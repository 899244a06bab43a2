"""governance

Revision ID: a3c9e5f1b8d0
Revises: f2b8d4e0a7c9
Create Date: 2026-11-26 15:30:00
"""

from collections.abc import Sequence

revision: str = "a3c9e5f1b8d0"
down_revision: str | None = "f2b8d4e0a7c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
