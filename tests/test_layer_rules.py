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
# The entry points that start the indexer process (reindex on first run, `cadre reindex`, restore).
INDEXER_ENTRY_POINTS = ("service/cli.py", "service/runtime/", "service/backup/cli.py")
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
    assert sorted(running) == [], "move the SQL into the domain's repo.py"


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
    assert sorted(offenders) == [], "add `*` after (pool/conn, principal)"


def test_the_rule_checks_see_a_violation() -> None:
    bad = ast.parse("from service.positions import api\nfrom service.positions.api import X\n"
                    "async def f(conn):\n    await conn.fetch('SELECT 1')\n")
    assert _runs_sql(bad)
    assert _api_imports("service/shortlists/api.py", bad) == ["service.positions.api"] * 2
    assert _api_imports("service/positions/service.py", bad) == []
    signatures = ast.parse("async def f(pool, principal, a, b): ...\n"
                           "async def g(pool, principal, *, a, b): ...\ndef h(a, b, c): ...\n")
    assert list(_positional_offenders("service/x/service.py", signatures)) == ["service/x/service.py:f"]


# Session state on a connection outlives the request: pool connections are released without a
# reset (service/db.py keep_session), so only these modules, whose connections are their own
# (asyncpg.connect, never the pool), may hold session locks, LISTEN or set session settings.
SESSION_STATE_OWNERS = {
    "service/db.py",  # init_connection: the same UTC time zone the connection starts with
    "service/health/repo.py",  # hold_indexer_lock: on the indexer's own LISTEN connection
    "service/exports/worker.py", "indexer/worker.py",  # their own LISTEN connections
}
_SESSION_STATE = re.compile(
    r"pg_(?:try_)?advisory_lock(?:_shared)?\(|add_listener\(|(?-i:\bLISTEN\b)|set_config\([^)]*,\s*false\s*\)"
    r"|[\"']\s*SET\s+(?!LOCAL\b)[A-Za-z_]+\s+(?:TO\b|=)|[\"']\s*SET\s+TIME\s+ZONE|\bDECLARE\s+\w+\s+CURSOR",
    re.IGNORECASE)


def _holds_session_state(text: str) -> bool:
    return bool(_SESSION_STATE.search(text))


def test_only_own_connections_hold_session_state() -> None:
    holders = {name for name, _, text in _files("service", "indexer") if _holds_session_state(text)}
    assert sorted(holders - SESSION_STATE_OWNERS) == [], (
        "pool connections are released without RESET ALL / UNLISTEN / unlock: use transaction-scoped "
        "locks and settings (pg_advisory_xact_lock, set_config(..., true), SET LOCAL)")
    assert sorted(SESSION_STATE_OWNERS - holders) == [], "no session state left there: remove it"


def test_the_session_state_check_sees_a_violation() -> None:
    for bad in ("SELECT pg_advisory_lock($1)", "SELECT set_config('jit', 'off', false)",
                "conn.execute(\"SET work_mem = '64MB'\")", "await conn.add_listener(CHANNEL, f)"):
        assert _holds_session_state(bad), bad
    for good in ("SELECT pg_advisory_xact_lock($1)", "SELECT set_config('jit', 'off', true)",
                 "\"SET LOCAL work_mem = '64MB'\"", "UPDATE t SET a = 1"):
        assert not _holds_session_state(good), good
