"""Positions, eligibility rules, shortlists and promotion records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0004"
down_revision = "0003"
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
