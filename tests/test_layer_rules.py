"""The layer rules of docs/CONTRIBUTING.md, checked on the source so that they stay true.

- "today" and "now" come from the business clock (schemas/clock.py) only;
- SQL runs only in repo modules (`repo.py`, `*_sql.py`) and the database plumbing;
- `service/` never imports `indexer/` (except the entry points that start the indexer);
- no domain imports another domain's `api.py`;
- public service functions with more than three parameters take all but the first two
  (the connection or pool, the principal) by keyword (`*`).
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ("service", "schemas", "indexer", "bench", "tests", "alembic")

# Database plumbing that is not a domain: connections, migrations, the unit of work and its
# revision/idempotency/link helpers, health and readiness checks, the embedded server's start-up.
SQL_PLUMBING = {
    "service/db.py", "service/migrate.py", "service/uow.py", "service/revisions.py",
    "service/idempotency.py", "service/links.py", "service/health.py", "service/runtime/serve.py",
}
# Still running SQL outside a repo module (issue 11, unfinished): this list may only shrink —
# the test fails when a file here no longer needs to be listed.
SQL_PENDING = {
    "service/assessments/compute.py", "service/assessments/service.py", "service/auth/service.py",
    "service/cadres/service.py", "service/campaigns/service.py", "service/contests/service.py",
    "service/exports/worker.py", "service/positions/service.py",
    "service/promotions/service.py", "service/promotions/stats.py", "service/secondments/service.py",
    "service/service_logs/service.py", "service/shortlists/scoring.py", "service/shortlists/service.py",
    "service/demo/bulk.py", "service/demo/generator.py",
}
# The entry points that start the indexer process (reindex on first run, `cadre reindex`, restore).
INDEXER_ENTRY_POINTS = ("service/cli.py", "service/runtime/", "service/backup/cli.py")
# Service-layer functions with more than three parameters that still take a third one by position
# (issue 11, unfinished): this list may only shrink.
POSITIONAL_PENDING = {
    "service/backup/pgtools.py:run", "service/archives/service.py:build",
    "service/assessments/compute.py:trends", "service/assessments/score_entry.py:add_adjustment",
    "service/assessments/score_entry.py:correct", "service/assessments/score_entry.py:import_scores",
    "service/assessments/score_entry.py:put_scores",
    "service/assessments/score_entry.py:withdraw_adjustment", "service/assessments/service.py:changed",
    "service/assessments/service.py:create_period", "service/assessments/service.py:list_periods",
    "service/assessments/service.py:transition", "service/assessments/service.py:trends",
    "service/assessments/service.py:update_setup", "service/assessments/xlsx.py:check",
    "service/attachments/service.py:open_download", "service/attachments/service.py:upload",
    "service/attachments/store.py:receive", "service/audit/service.py:query",
    "service/audit/service.py:read_trail", "service/audit/service.py:verify_with_settings",
    "service/auth/service.py:authenticate", "service/auth/service.py:change_scope",
    "service/auth/service.py:create_user", "service/auth/service.py:login",
    "service/auth/service.py:update_user", "service/cadres/service.py:add_career",
    "service/cadres/service.py:add_rewards", "service/cadres/service.py:create_cadre",
    "service/cadres/service.py:list_cadres", "service/cadres/service.py:set_appraisals",
    "service/cadres/service.py:update_cadre", "service/campaigns/service.py:add_team",
    "service/campaigns/service.py:create_campaign", "service/campaigns/service.py:update_campaign",
    "service/contests/service.py:add_evidence", "service/contests/service.py:add_presentation",
    "service/contests/service.py:create_contest", "service/contests/service.py:list_contests",
    "service/contests/service.py:presentation_revisions", "service/contests/service.py:update_presentation",
    "service/dossier/service.py:export_dossier", "service/dossier/service.py:export_dossier_or_404",
    "service/dossier/service.py:load_dossier", "service/dossier/service.py:read_dossier",
    "service/evidence/service.py:create_evidence", "service/evidence/service.py:list_evidence",
    "service/evidence/service.py:update_evidence", "service/evidence/service.py:verify_evidence",
    "service/exports/batch.py:write_dossier_zip", "service/exports/jobs.py:create_job",
    "service/exports/jobs.py:open_download", "service/exports/service.py:issue_pdf",
    "service/family/service.py:add_member", "service/forms/exporting.py:download",
    "service/inspection/compile.py:compile_sections", "service/leadership/evaluations.py:talk_stats",
    "service/leadership/service.py:load_team", "service/pdf/pdf.py:compile_pdf",
    "service/positions/eligibility.py:outcomes_query", "service/positions/explain.py:detail",
    "service/positions/explain.py:outcomes", "service/positions/service.py:check_cadres",
    "service/positions/service.py:create_position", "service/positions/service.py:eligibility_page",
    "service/positions/service.py:list_positions", "service/positions/service.py:load",
    "service/positions/service.py:update_position", "service/promotions/pdf.py:export_promotion",
    "service/promotions/pdf.py:export_promotion_or_404", "service/promotions/service.py:amend_stage",
    "service/promotions/service.py:cancel", "service/promotions/service.py:create_promotion",
    "service/promotions/service.py:end_probation", "service/promotions/service.py:list_promotions",
    "service/promotions/service.py:record_stage", "service/promotions/stages.py:check_dates",
    "service/promotions/stages.py:check_inspection", "service/promotions/stats.py:stats",
    "service/search/client.py:pooled_index", "service/search/highlight.py:mark",
    "service/search/service.py:search", "service/secondments/service.py:add_placements",
    "service/secondments/service.py:create_metric", "service/secondments/service.py:create_program",
    "service/secondments/service.py:list_placements", "service/secondments/service.py:list_programs",
    "service/secondments/service.py:put_values", "service/secondments/service.py:task_force_metrics",
    "service/secondments/service.py:update_placement", "service/service_logs/service.py:create_log",
    "service/service_logs/service.py:list_logs", "service/service_logs/service.py:totals",
    "service/service_logs/service.py:update_log", "service/service_logs/service.py:void_log",
    "service/shortlists/pdf.py:export_shortlist", "service/shortlists/pdf.py:export_shortlist_or_404",
    "service/shortlists/pdf.py:load_shortlist_doc", "service/shortlists/pdf.py:shortlist_cadre_ids",
    "service/shortlists/service.py:compute", "service/shortlists/service.py:current",
    "service/shortlists/service.py:generate", "service/shortlists/service.py:load_saved",
    "service/shortlists/versions.py:add_mark", "service/shortlists/versions.py:compare",
    "service/shortlists/versions.py:diff", "service/shortlists/versions.py:get_saved",
    "service/shortlists/versions.py:reproduce", "service/shortlists/versions.py:save",
    "service/shortlists/versions.py:seed", "service/shortlists/versions.py:withdraw_mark",
    "service/units/service.py:create_unit", "service/units/service.py:list_units",
    "service/units/service.py:rename_unit",
}
SQL_CALLS = {"fetch", "fetchrow", "fetchval", "execute", "executemany", "copy_records_to_table",
             "copy_to_table", "copy_from_query", "cursor"}


def _files(*trees: str) -> Iterator[tuple[str, ast.Module, str]]:
    for tree in trees:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            yield path.relative_to(ROOT).as_posix(), ast.parse(text), text


def _imports(module: ast.Module) -> Iterator[str]:
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


def test_today_and_now_come_only_from_the_business_clock() -> None:
    # Spelled in pieces so that this file does not match itself.
    forbidden = re.compile(r"\b(?:date|datetime)\.(?:to" + r"day|utc" + r"now)\(|\bdatetime\.no" + r"w\(")
    found = [f"{name}:{n}" for name, _, text in _files(*TREES) if name != "schemas/clock.py"
             for n, line in enumerate(text.splitlines(), 1) if forbidden.search(line)]
    assert found == [], "use schemas.clock (clock.today(), clock.now())"


def _runs_sql(module: ast.Module) -> bool:
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr in SQL_CALLS and not isinstance(node.func.value, ast.Constant)
               for node in ast.walk(module))


def _is_repo(name: str) -> bool:
    # A domain package may keep one repo module per part (`evaluations_repo.py`).
    return name.endswith(("/repo.py", "_repo.py", "_sql.py")) or "/repo/" in name


def test_sql_runs_only_in_repo_modules() -> None:
    running = {name for name, module, _ in _files("service") if _runs_sql(module)
               and not _is_repo(name) and name not in SQL_PLUMBING}
    assert sorted(running - SQL_PENDING) == [], "move the SQL into the domain's repo.py"
    assert sorted(SQL_PENDING - running) == [], "no SQL left there: remove it from SQL_PENDING"


def test_service_never_imports_the_indexer() -> None:
    importing = {name for name, module, _ in _files("service")
                 if any(i == "indexer" or i.startswith("indexer.") for i in _imports(module))
                 and not name.startswith(INDEXER_ENTRY_POINTS)}
    assert sorted(importing) == [], "move the rule into its domain (or schemas); the indexer imports it"


def _api_imports(name: str, module: ast.Module) -> list[str]:
    """Route modules of other domains that this file imports."""
    parts = name.split("/")
    own = parts[1] if len(parts) > 2 else None
    out = []
    for target in _imports(module):
        m = re.match(r"^service\.(\w+)\.api$", target)
        if m and m.group(1) != own:
            out.append(target)
    return out


def test_no_domain_imports_another_domains_api_module() -> None:
    offenders = [f"{name} → {target}" for name, module, _ in _files("service")
                 if name != "service/routes.py" for target in _api_imports(name, module)]
    assert offenders == [], "import the rule from its service/schemas module, not from a route module"


def _is_service_layer(name: str) -> bool:
    """Modules holding rules and transactions: not routes, pages, repos, process plumbing or the demo."""
    return (name.count("/") >= 2 and not _is_repo(name) and not name.endswith("/api.py")
            and not name.startswith(("service/web/", "service/runtime/", "service/demo/")))


def _positional_offenders(name: str, module: ast.Module) -> Iterator[str]:
    for node in module.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        positional = len(node.args.posonlyargs) + len(node.args.args)
        if positional + len(node.args.kwonlyargs) > 3 and positional > 2:
            yield f"{name}:{node.name}"


def test_service_functions_with_many_parameters_take_them_by_keyword() -> None:
    offenders = {o for name, module, _ in _files("service") if _is_service_layer(name)
                 for o in _positional_offenders(name, module)}
    assert sorted(offenders - POSITIONAL_PENDING) == [], "add `*` after (pool/conn, principal)"
    assert sorted(POSITIONAL_PENDING - offenders) == [], "now keyword-only: shrink POSITIONAL_PENDING"


def test_the_rule_checks_see_a_violation() -> None:
    bad = ast.parse("from service.positions import api\nfrom service.positions.api import X\n"
                    "async def f(conn):\n    await conn.fetch('SELECT 1')\n")
    assert _runs_sql(bad)
    assert _api_imports("service/shortlists/api.py", bad) == ["service.positions.api"] * 2
    assert _api_imports("service/positions/service.py", bad) == []
    signatures = ast.parse("async def f(pool, principal, a, b): ...\n"
                           "async def g(pool, principal, *, a, b): ...\ndef h(a, b, c): ...\n")
    assert list(_positional_offenders("service/x/service.py", signatures)) == ["service/x/service.py:f"]
