"""Generate demo chunks in a child process so generation runs beside COPY, not under its GIL.

Run by `load_demo` as `python -m service.demo.worker PARAMS_JSON`; writes each chunk to stdout
as an 8-byte big-endian length followed by a pickle, and a zero length at the end.
"""

import asyncio
import json
import os
import pickle
import sys
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from service.demo.chunks import Chunk, ChunkLoader, chunk_sizes
from service.demo.world import build_world

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HEADER = 8


def params(seed: int, bases: dict[str, int], cadres: int, records_per_cadre: float,
           evidence_per_cadre: float) -> dict[str, Any]:
    """The JSON-able arguments the child needs to rebuild the same generator state."""
    return {"seed": seed, "bases": bases, "cadres": cadres, "rpc": records_per_cadre,
            "epc": evidence_per_cadre}


def main() -> None:
    """Child entry point: stream every chunk, in order, to stdout."""
    p = json.loads(sys.argv[1])
    bases = {k: int(v) for k, v in p["bases"].items()}
    world = build_world(p["seed"], "", bases)
    loader = ChunkLoader(world, p["seed"], bases, p["rpc"], p["epc"])
    out = sys.stdout.buffer
    for index, size in enumerate(chunk_sizes(p["cadres"])):
        data = pickle.dumps(loader.chunk(index, size), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(HEADER, "big") + data)
        out.flush()
    out.write((0).to_bytes(HEADER, "big"))
    out.flush()


async def stream_chunks(p: dict[str, Any]) -> AsyncGenerator[Chunk, None]:
    """Start the child and yield its chunks; the child is killed if the consumer stops early."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.demo.worker", json.dumps(p),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=env, limit=1 << 20,
    )
    assert proc.stdout is not None and proc.stderr is not None
    finished = False
    try:
        while True:
            try:
                size = int.from_bytes(await proc.stdout.readexactly(HEADER), "big")
            except asyncio.IncompleteReadError:
                break
            if size == 0:
                finished = True
                break
            # Our own child process wrote these bytes just now; they are not untrusted input.
            yield pickle.loads(await proc.stdout.readexactly(size))  # noqa: S301
        errors = (await proc.stderr.read()).decode(errors="replace")
        code = await proc.wait()
        if not finished or code != 0:
            raise RuntimeError(f"演示数据生成子进程失败 (exit {code}): {errors[-2000:]}")
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


if __name__ == "__main__":
    main()
