"""The order in which parallel workers (pytest-xdist, `--dist loadfile`) take the test modules.

xdist's own loadfile scheduler re-sorts the modules by how many tests each holds, so a module of
one long test (a schemathesis run over every operation) would start last and leave the other
workers idle for minutes. Here the modules are handed out in collection order instead, which
`tests/conftest.py` sorts by expected length, longest first: a greedy longest-first packing.
"""

from typing import Any

import pytest

# Longest first, as measured with `--durations` (a module's own time plus the session fixtures it
# may be first to build on its worker: the search library, the browser site, each loading the demo).
# Modules not listed come after these: the browser journeys, then everything else (seconds each).
LONGEST_FIRST = (
    "tests/search/test_recall.py",
    "tests/runtime/test_serve.py",
    "tests/web/test_management_pages.py",
    "tests/demo/test_generator.py",
    "tests/security/test_schemathesis_officer_",
    "tests/search/test_ranking.py",
    "tests/web/test_menu_walk.py",
    "tests/web/test_search_dossier.py",
    "tests/security/test_schemathesis_readers_",
    "tests/search/test_vocabulary.py",
    "tests/backup/",
    "tests/demo/test_story.py",
    "tests/security/test_schemathesis_others_",
    "tests/lrmx/test_import_api.py",
    "tests/runtime/test_outage.py",
)


# Modules that share an expensive session fixture run on one worker, so that fixture is built once
# instead of once per worker: the search library and the browser site (every module of tests/web)
# each load the 200-cadre demo data and index it. A module missing here only builds its own copy.
SEARCH_LIBRARY = ("tests/search/test_recall.py", "tests/search/test_ranking.py",
                  "tests/search/test_vocabulary.py", "tests/search/test_split.py")


def shared_scope(module: str) -> str:
    """The unit of work a worker takes: a module, or a group of modules sharing a session fixture."""
    if module.startswith("tests/web/"):
        return "tests/web/ (browser site)"
    return "tests/search/ (search library)" if module in SEARCH_LIBRARY else module


def weight(item: pytest.Item) -> int:
    """Smaller runs earlier: the listed modules in their order, then browser journeys, then the rest."""
    for rank, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    return len(LONGEST_FIRST) + (0 if item.get_closest_marker("browser") is not None else 1)


def make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's loadfile scheduler, with its reordering by test count turned off."""
    from xdist.scheduler import LoadFileScheduling

    class CollectionOrderScheduling(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return shared_scope(nodeid.split("::", 1)[0])

        def schedule(self) -> None:
            # The option only steers this scheduler's first distribution of the modules.
            self.config.option.loadscopereorder = False
            super().schedule()

    return CollectionOrderScheduling(config, log)
