"""Putting bytes made or read here (photos, source files, uploads) into the content-addressed store."""

import hashlib
import os
import uuid
from pathlib import Path

import anyio.to_thread

from service.attachments.store import BlobStore


def _put(store: BlobStore, data: bytes, sha: str) -> None:
    final = store.path_for(sha)
    if final.exists():
        return
    store.tmp_dir.mkdir(parents=True, exist_ok=True)
    staged = Path(store.tmp_dir) / f"{uuid.uuid4().hex}.part"
    staged.write_bytes(data)
    final.parent.mkdir(parents=True, exist_ok=True)
    # Same content under the same name, so a concurrent identical write is harmless.
    os.replace(staged, final)


async def save_blob(store: BlobStore, data: bytes) -> str:
    """Store the bytes (once per content) and return their SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    await anyio.to_thread.run_sync(_put, store, data, sha)
    return sha


async def read_blob(store: BlobStore, sha: str) -> bytes:
    """The stored bytes of a digest."""
    return await anyio.Path(store.path_for(sha)).read_bytes()
