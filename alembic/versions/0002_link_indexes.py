"""Indexes for looking up links by their target (attachment visibility, cadre photos).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from service.migrate import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE INDEX record_attachments_attachment_idx ON record_attachments (attachment_id);
    CREATE INDEX evidence_attachments_attachment_idx ON evidence_attachments (attachment_id);
    CREATE INDEX cadres_photo_idx ON cadres (photo_attachment_id) WHERE photo_attachment_id IS NOT NULL;
    """)


def downgrade() -> None:
    execute_script("""
    DROP INDEX record_attachments_attachment_idx, evidence_attachments_attachment_idx, cadres_photo_idx;
    """)
