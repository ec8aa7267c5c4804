"""Unit scoreboards, arena contests, secondments and front-line service logs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
SELECT 1;
"""

DOWNGRADE = """
SELECT 1;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
