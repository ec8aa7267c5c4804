"""Positions, eligibility rules, shortlists and promotion records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

The working-day calendar holds only the exceptions to "Monday to Friday": public holidays
(every day of a holiday period, weekends included) and adjusted working weekends (调休上班).
Source: the State Council General Office notices on public holiday arrangements
(国务院办公厅关于2024年部分节假日安排的通知 国办发明电〔2023〕7号; 2025年 国办发明电〔2024〕12号;
2026年 国办发明电〔2025〕7号). A year is usable for working-day counts only once it is listed in
`calendar_years`; later years are added as data rows (a migration or SQL), not code.
"""

from service.migrate import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (first day, last day, name) of holidays; (day, name) of adjusted working weekends.
HOLIDAYS = {
    2024: [("2024-01-01", "2024-01-01", "元旦"), ("2024-02-10", "2024-02-17", "春节"),
           ("2024-04-04", "2024-04-06", "清明节"), ("2024-05-01", "2024-05-05", "劳动节"),
           ("2024-06-10", "2024-06-10", "端午节"), ("2024-09-15", "2024-09-17", "中秋节"),
           ("2024-10-01", "2024-10-07", "国庆节")],
    2025: [("2025-01-01", "2025-01-01", "元旦"), ("2025-01-28", "2025-02-04", "春节"),
           ("2025-04-04", "2025-04-06", "清明节"), ("2025-05-01", "2025-05-05", "劳动节"),
           ("2025-05-31", "2025-06-02", "端午节"), ("2025-10-01", "2025-10-08", "国庆节、中秋节")],
    2026: [("2026-01-01", "2026-01-03", "元旦"), ("2026-02-15", "2026-02-23", "春节"),
           ("2026-04-04", "2026-04-06", "清明节"), ("2026-05-01", "2026-05-05", "劳动节"),
           ("2026-06-19", "2026-06-21", "端午节"), ("2026-09-25", "2026-09-27", "中秋节"),
           ("2026-10-01", "2026-10-07", "国庆节")],
}
WORKING_WEEKENDS = {
    2024: [("2024-02-04", "春节"), ("2024-02-18", "春节"), ("2024-04-07", "清明节"),
           ("2024-04-28", "劳动节"), ("2024-05-11", "劳动节"), ("2024-09-14", "中秋节"),
           ("2024-09-29", "国庆节"), ("2024-10-12", "国庆节")],
    2025: [("2025-01-26", "春节"), ("2025-02-08", "春节"), ("2025-04-27", "劳动节"),
           ("2025-09-28", "国庆节、中秋节"), ("2025-10-11", "国庆节、中秋节")],
    2026: [("2026-01-04", "元旦"), ("2026-02-14", "春节"), ("2026-02-28", "春节"),
           ("2026-05-09", "劳动节"), ("2026-09-20", "国庆节"), ("2026-10-10", "国庆节")],
}
SOURCES = {2024: "国办发明电〔2023〕7号", 2025: "国办发明电〔2024〕12号", 2026: "国办发明电〔2025〕7号"}


def _calendar_sql() -> str:
    years = ", ".join(f"({y}, '{s}')" for y, s in SOURCES.items())
    off = ", ".join(f"('{a}'::date, '{b}'::date, '{n}')" for rows in HOLIDAYS.values() for a, b, n in rows)
    on = ", ".join(f"('{d}'::date, '{n}调休上班')" for rows in WORKING_WEEKENDS.values() for d, n in rows)
    return f"""
    INSERT INTO calendar_years (year, source) VALUES {years};
    INSERT INTO calendar_days (day, is_working, note)
      SELECT g::date, false, h.name FROM (VALUES {off}) AS h(first, last, name),
        generate_series(h.first, h.last, interval '1 day') AS g;
    INSERT INTO calendar_days (day, is_working, note) SELECT d, true, n FROM (VALUES {on}) AS w(d, n);
    """


SCHEMA = """
CREATE TABLE calendar_years (year int PRIMARY KEY CHECK (year BETWEEN 1990 AND 2100),
                             source text NOT NULL);
CREATE TABLE calendar_days (
  day date PRIMARY KEY,
  is_working boolean NOT NULL,
  note text NOT NULL,
  -- Only exceptions are stored: a working weekday or a day off at the weekend is no exception.
  CHECK (is_working = (extract(isodow FROM day) >= 6) OR NOT is_working)
);

-- Working days in [p_start, p_end]: weekdays unless a holiday, weekends only if adjusted to work.
CREATE FUNCTION working_days(p_start date, p_end date) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM generate_series(p_start, p_end, interval '1 day') AS g(d)
  LEFT JOIN calendar_days c ON c.day = g.d::date
  WHERE coalesce(c.is_working, extract(isodow FROM g.d) < 6)
$$;

CREATE TABLE post_categories (code text PRIMARY KEY, label text NOT NULL);
INSERT INTO post_categories (code, label) VALUES
 ('urban_construction', '城乡建设与城市更新'), ('economy', '经济发展与招商引资'),
 ('social', '民生与社会事业'), ('party_affairs', '党务与组织'), ('emergency', '应急与安全'),
 ('general', '综合（党政正职）');

-- How much evidence of a work domain says about fitness for a kind of post (0..1).
CREATE TABLE domain_relevance (
  category text NOT NULL REFERENCES post_categories(code),
  domain text NOT NULL CHECK (domain IN ('urban_renewal', 'investment_attraction', 'livelihood',
                                         'party_building', 'risk_prevention', 'other')),
  weight numeric NOT NULL CHECK (weight BETWEEN 0 AND 1),
  PRIMARY KEY (category, domain)
);
INSERT INTO domain_relevance (category, domain, weight)
SELECT c, d, w FROM (VALUES
 ('urban_construction', ARRAY[1.0, 0.5, 0.6, 0.3, 0.6, 0.2]),
 ('economy',            ARRAY[0.5, 1.0, 0.4, 0.3, 0.3, 0.2]),
 ('social',             ARRAY[0.5, 0.3, 1.0, 0.4, 0.6, 0.2]),
 ('party_affairs',      ARRAY[0.3, 0.3, 0.5, 1.0, 0.3, 0.3]),
 ('emergency',          ARRAY[0.5, 0.3, 0.6, 0.3, 1.0, 0.2]),
 ('general',            ARRAY[0.8, 0.8, 0.8, 0.7, 0.7, 0.4])) AS m(c, ws),
 unnest(ARRAY['urban_renewal', 'investment_attraction', 'livelihood', 'party_building',
              'risk_prevention', 'other'], ws) AS x(d, w);

CREATE TABLE positions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_id bigint NOT NULL REFERENCES units(id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  post_level text REFERENCES post_levels(code),
  tier text NOT NULL CHECK (tier IN ('city_managed', 'district_managed')),
  category text NOT NULL REFERENCES post_categories(code),
  is_elected boolean NOT NULL DEFAULT false,
  reference_date date NOT NULL,
  rules jsonb NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
  weights jsonb NOT NULL CHECK (jsonb_typeof(weights) = 'object'),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  version int NOT NULL DEFAULT 1,
  created_by bigint REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX positions_unit_idx ON positions (unit_id);

CREATE TABLE shortlist_marks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  position_id bigint NOT NULL REFERENCES positions(id),
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  action text NOT NULL CHECK (action IN ('pin', 'exclude', 'seed')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  withdrawn_by bigint REFERENCES users(id),
  withdrawn_at timestamptz,
  CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
);
CREATE UNIQUE INDEX shortlist_marks_active_key ON shortlist_marks (position_id, cadre_id)
  WHERE withdrawn_at IS NULL;
CREATE INDEX shortlist_marks_cadre_idx ON shortlist_marks (cadre_id);

CREATE TABLE shortlist_versions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  position_id bigint NOT NULL REFERENCES positions(id),
  version int NOT NULL CHECK (version >= 1),
  reference_date date NOT NULL,
  rules jsonb NOT NULL,
  weights jsonb NOT NULL,
  relevance jsonb NOT NULL,
  marks jsonb NOT NULL,
  top_n int NOT NULL,
  inputs_hash text NOT NULL CHECK (inputs_hash ~ '^[0-9a-f]{64}$'),
  result_hash text NOT NULL CHECK (result_hash ~ '^[0-9a-f]{64}$'),
  result jsonb NOT NULL,
  note text NOT NULL DEFAULT '',
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (position_id, version)
);

CREATE FUNCTION shortlist_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'saved shortlists are immutable' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER shortlist_versions_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON shortlist_versions
  FOR EACH STATEMENT EXECUTE FUNCTION shortlist_versions_refuse_change();

CREATE TABLE promotions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cadre_id bigint NOT NULL REFERENCES cadres(id),
  position_id bigint REFERENCES positions(id),
  kind text NOT NULL CHECK (kind IN ('post_promotion', 'rank_promotion', 'lateral_transfer')),
  target_unit_id bigint NOT NULL REFERENCES units(id),
  target_post text NOT NULL CHECK (length(target_post) BETWEEN 1 AND 100),
  target_post_level text REFERENCES post_levels(code),
  target_rank text REFERENCES ranks(code),
  is_elected_post boolean NOT NULL DEFAULT false,
  stage text NOT NULL DEFAULT 'none' CHECK (stage IN ('none', 'motion', 'recommendation', 'inspection',
                                                      'decision', 'notice', 'appointment')),
  status text NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'appointed',
    'on_probation', 'confirmed', 'removed', 'cancelled')),
  appointed_on date,
  probation_end date,
  probation_outcome_on date,
  probation_note text,
  tier text CHECK (tier IN ('city_managed', 'district_managed')),
  post_level_after text REFERENCES post_levels(code),
  before_state jsonb,
  cancel_reason text,
  version int NOT NULL DEFAULT 1,
  created_by bigint NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status IN ('in_progress', 'cancelled')) = (appointed_on IS NULL)),
  CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL)),
  CHECK (probation_end IS NULL OR probation_end > appointed_on)
);
CREATE INDEX promotions_cadre_idx ON promotions (cadre_id);
CREATE INDEX promotions_position_idx ON promotions (position_id) WHERE position_id IS NOT NULL;
CREATE INDEX promotions_appointed_idx ON promotions (appointed_on) WHERE appointed_on IS NOT NULL;
CREATE INDEX promotions_unit_idx ON promotions (target_unit_id);
-- One live selection per cadre and kind at a time.
CREATE UNIQUE INDEX promotions_live_key ON promotions (cadre_id, kind) WHERE status = 'in_progress';

CREATE TABLE promotion_stages (
  promotion_id bigint NOT NULL REFERENCES promotions(id),
  stage text NOT NULL CHECK (stage IN ('motion', 'recommendation', 'inspection', 'decision', 'notice',
                                       'appointment')),
  stage_date date NOT NULL,
  end_date date,
  payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  revision int NOT NULL DEFAULT 1,
  recorded_by bigint NOT NULL REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (promotion_id, stage),
  CHECK (end_date IS NULL OR end_date >= stage_date)
);

-- Eligibility at scale: each rule probes one of these per cadre.
CREATE INDEX evidence_verified_cadre_idx ON evidence (cadre_id, domain, period_end)
  WHERE verification = 'verified';
CREATE INDEX career_grassroots_idx ON career_entries (cadre_id) INCLUDE (start_date, end_date)
  WHERE is_grassroots;
CREATE INDEX rp_open_penalty_idx ON rewards_penalties (cadre_id, effective_until) WHERE kind = 'penalty';
"""

DOWNGRADE = """
DROP INDEX IF EXISTS evidence_verified_cadre_idx, career_grassroots_idx, rp_open_penalty_idx;
DROP TABLE IF EXISTS promotion_stages, promotions, shortlist_versions, shortlist_marks, positions,
  domain_relevance, post_categories, calendar_days, calendar_years CASCADE;
DROP FUNCTION IF EXISTS shortlist_versions_refuse_change, working_days;
"""


def upgrade() -> None:
    execute_script(SCHEMA)
    execute_script(_calendar_sql())


def downgrade() -> None:
    execute_script(DOWNGRADE)
