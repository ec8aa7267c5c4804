"""The role a batch export's zip was built as.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08

A zip is built with its requester's role at the time (an officer's holds whole national ID
numbers, a leader's masked ones) and downloaded later, so the download is checked against what
it was built for (service/exports/jobs.py). Zips built before this column have none and are
treated as an officer's.
"""

from service.migrate import execute_script

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE export_jobs ADD COLUMN built_as text CHECK (built_as IN ('officer', 'leader'));
"""

DOWNGRADE = """
ALTER TABLE export_jobs DROP COLUMN IF EXISTS built_as;
"""


def upgrade() -> None:
    """Apply."""
    execute_script(UPGRADE)


def downgrade() -> None:
    """Revert."""
    execute_script(DOWNGRADE)
