"""Chunks of cadres with their resume, appraisals, rewards, records and evidence."""

import random
from typing import Any

from service.demo.activity import Activity
from service.demo.people import People
from service.demo.world import World

CHUNK_CADRES = 1000
CHUNK_TABLES = ("cadres", "career_entries", "appraisals", "rewards_penalties", "field_records",
                "field_record_cadres", "evidence", "evidence_records")
# Rows per table, and (cadre id, top unit id) of each cadre in the chunk.
Chunk = tuple[dict[str, list[Any]], list[tuple[int, int]]]


def chunk_sizes(cadres: int) -> list[int]:
    """Cadres per chunk; chunk boundaries are part of what a seed reproduces."""
    return [min(CHUNK_CADRES, cadres - start) for start in range(0, cadres, CHUNK_CADRES)]


class ChunkLoader:
    """Generates chunk after chunk; ids and national IDs carry over between chunks."""

    def __init__(self, world: World, seed: int, bases: dict[str, int],
                 records_per_cadre: float, evidence_per_cadre: float) -> None:
        self.seed = seed
        self.people = People(world.tree, creator_id=world.city_officer)
        self.activity = Activity(world.context, records_per_cadre, evidence_per_cadre)
        self.ids = {t: bases.get(t, 0) for t in ("cadres", "career_entries", "appraisals",
                                                  "rewards_penalties", "field_records",
                                                  "evidence")}
        self._next_index = 0

    def chunk(self, index: int, size: int) -> Chunk:
        """Rows of chunk `index`; chunks must be generated in order, each once."""
        if index != self._next_index:
            raise ValueError(f"chunk {index} requested, {self._next_index} expected")
        self._next_index += 1
        rng = random.Random(f"{self.seed}:chunk:{index}")
        out: dict[str, list[Any]] = {t: [] for t in CHUNK_TABLES}
        facts = []
        for i in range(size):
            self.ids["cadres"] += 1
            facts.append(self.people.make(rng, self.ids["cadres"], index * CHUNK_CADRES + i,
                                          out, self.ids))
        self.activity.generate(rng, facts, out, self.ids)
        return out, [(f.id, f.unit.top_id) for f in facts]
