"""The worker schedule's groups hold every module that uses their shared session fixture."""

import ast
from pathlib import Path

from tests import scheduling

ROOT = Path(__file__).resolve().parent.parent


def _uses_fixture(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
               and any(a.arg == name for a in node.args.args) for node in ast.walk(tree))


def test_every_module_using_the_search_library_runs_in_its_group() -> None:
    # A module outside the group builds its own copy of the library on another worker: the demo
    # data loaded and indexed again, over a minute of a 2-core machine.
    users = {p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "tests").rglob("test_*.py"))
             if _uses_fixture(p, "library")}
    assert users, "no module uses the search library: the check would prove nothing"
    assert users <= set(scheduling.SEARCH_LIBRARY), sorted(users - set(scheduling.SEARCH_LIBRARY))
