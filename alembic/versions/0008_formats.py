"""Exchange formats: approval-form fields, resume sub-entries, staged imports, source files.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from service.migrate import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
-- Fields of the 任免审批表 that are not profile columns, as written on the form (one row per
-- cadre, created by an import or an edit of the form). Enumerated profile values keep the words
-- the form used (学历 "大学") so that an export writes back what was read.
CREATE TABLE cadre_forms (
  cadre_id bigint PRIMARY KEY REFERENCES cadres(id),
  expertise text CHECK (length(expertise) <= 200),
  ft_level_text text CHECK (length(ft_level_text) <= 50),
  ft_degree text CHECK (length(ft_degree) <= 100),
  ft_degree_school text CHECK (length(ft_degree_school) <= 200),
  is_level_text text CHECK (length(is_level_text) <= 50),
  is_degree text CHECK (length(is_degree) <= 100),
  is_degree_school text CHECK (length(is_degree_school) <= 200),
  party_text text CHECK (length(party_text) <= 100),
  current_post_text text CHECK (length(current_post_text) <= 400),
  current_post_key text,
  rewards_text text CHECK (length(rewards_text) <= 20000),
  appraisals_text text CHECK (length(appraisals_text) <= 2000),
  proposed_post text CHECK (length(proposed_post) <= 400),
  removed_post text CHECK (length(removed_post) <= 400),
  reason text CHECK (length(reason) <= 2000),
  reporting_unit text CHECK (length(reporting_unit) <= 200),
  filled_by text CHECK (length(filled_by) <= 50),
  retirement_base_age int CHECK (retirement_base_age IN (50, 55, 60, 63, 65, 66)),
  lrmx_version text CHECK (length(lrmx_version) <= 40),
  extras jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(extras) = 'array'),
  version int NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Resume lines as the form prints them; （其间…） entries point at their main line.
ALTER TABLE career_entries
  ADD COLUMN form_text text CHECK (length(form_text) <= 1000),
  ADD COLUMN parent_id bigint REFERENCES career_entries(id),
  ADD COLUMN note text CHECK (length(note) <= 1000);
CREATE INDEX career_parent_idx ON career_entries (parent_id) WHERE parent_id IS NOT NULL;

-- An uploaded LRMX file/zip or roster, checked and shown as a preview before anything is
-- written; applying it re-checks against the current data and writes all or nothing.
CREATE TABLE format_imports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('lrmx', 'roster')),
  user_id bigint NOT NULL REFERENCES users(id),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  options jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
  status text NOT NULL DEFAULT 'previewed' CHECK (status IN ('previewed', 'applied')),
  preview_hash text NOT NULL,
  report jsonb NOT NULL,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  CHECK ((status = 'applied') = (applied_at IS NOT NULL))
);
CREATE INDEX format_imports_user_idx ON format_imports (user_id, created_at);

-- The original file each imported cadre came from (provenance), kept as an attachment.
CREATE TABLE cadre_sources (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  import_id bigint NOT NULL REFERENCES format_imports(id),
  attachment_id bigint NOT NULL REFERENCES attachments(id),
  file_name text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cadre_sources_cadre_idx ON cadre_sources (cadre_id, id);

ALTER TABLE exports DROP CONSTRAINT exports_kind_check;
ALTER TABLE exports ADD CONSTRAINT exports_kind_check CHECK (kind IN (
  'dossier', 'shortlist', 'promotion', 'approval_form', 'approval_form_docx', 'lrmx', 'roster'));
"""

DOWNGRADE = """
ALTER TABLE exports DROP CONSTRAINT exports_kind_check;
ALTER TABLE exports ADD CONSTRAINT exports_kind_check CHECK (kind IN ('dossier', 'shortlist', 'promotion'));
DROP TABLE IF EXISTS cadre_sources, format_imports, cadre_forms;
ALTER TABLE career_entries DROP COLUMN IF EXISTS form_text, DROP COLUMN IF EXISTS parent_id,
  DROP COLUMN IF EXISTS note;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
