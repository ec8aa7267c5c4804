"""A partial index of the cadres flagged as unit heads.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

The derived headship of service/leadership/rules.py starts from the flagged cadres (~300 of
100,000 in the demo data); finding them read the whole cadres table (24 ms of CPU per shortlist
at 100,000 cadres, bench/shortlist.py, and the same in every other user of the rule).
"""

from service.migrate import execute_script

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX cadres_unit_head_idx ON cadres (id) INCLUDE (unit_id) WHERE is_unit_head;
"""

DOWNGRADE = """
DROP INDEX IF EXISTS cadres_unit_head_idx;
"""


def upgrade() -> None:
    """Apply."""
    execute_script(UPGRADE)


def downgrade() -> None:
    """Revert."""
    execute_script(DOWNGRADE)
