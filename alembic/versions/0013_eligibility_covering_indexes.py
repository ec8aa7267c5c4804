"""Covering indexes for the per-cadre probes of eligibility and of the shortlist.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

The eligibility rules probe each cadre that passed the cheaper rules (~20,000 at 100,000 cadres,
bench/shortlist.py); these make three of the probes index-only (with the visibility map set):
- the domain-evidence rule counts verified positive evidence of one domain started by the
  reference date: `judgement` and `period_start` join the index it already used;
- the appraisal rule and the shortlist's appraisal points read `grade` by (cadre_id, year);
- the derived headship of service/leadership/rules.py takes a flagged cadre's latest line at its
  current unit (ORDER BY start_date DESC, id DESC LIMIT 1): one backward index step instead of
  intersecting two bitmaps per cadre.
Bare eligibility query at 100,000 cadres: 279 -> 181 ms of backend CPU.
"""

from service.migrate import execute_script

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX evidence_verified_cadre_idx_new ON evidence (cadre_id, domain, period_end)
  INCLUDE (judgement, period_start) WHERE verification = 'verified';
DROP INDEX evidence_verified_cadre_idx;
ALTER INDEX evidence_verified_cadre_idx_new RENAME TO evidence_verified_cadre_idx;
CREATE INDEX appraisals_cadre_year_grade_idx ON appraisals (cadre_id, year) INCLUDE (grade);
CREATE INDEX career_cadre_unit_latest_idx ON career_entries (cadre_id, unit_id, start_date, id)
  INCLUDE (end_date, team_role);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS career_cadre_unit_latest_idx, appraisals_cadre_year_grade_idx;
CREATE INDEX evidence_verified_cadre_idx_old ON evidence (cadre_id, domain, period_end)
  WHERE verification = 'verified';
DROP INDEX evidence_verified_cadre_idx;
ALTER INDEX evidence_verified_cadre_idx_old RENAME TO evidence_verified_cadre_idx;
"""


def upgrade() -> None:
    """Apply."""
    execute_script(UPGRADE)


def downgrade() -> None:
    """Revert."""
    execute_script(DOWNGRADE)
