"""A full or read-only attachment store: 507/503 with a message an admin can act on, nothing half-written.

The store is a real tmpfs mounted for the test (full: a few KiB; read-only: remounted ro), so
the kernel itself refuses the writes. Mounting needs root; elsewhere these tests are skipped.
"""

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from service.config import Settings
from service.main import create_app
from tests.attachments.test_attachments_api import png
from tests.factories import Api


def _mount(target: Path, options: str) -> None:
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}); needs root")


@pytest.fixture(params=["full", "read-only"])
def store(request: pytest.FixtureRequest, private_tmp: Path) -> Iterator[tuple[str, Path]]:
    data_dir = private_tmp / "data"
    data_dir.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    _mount(data_dir, "size=16k,mode=0700")
    try:
        (data_dir / "attachments").mkdir(mode=0o700)
        (data_dir / "attachments" / "tmp").mkdir(mode=0o700)
        if request.param == "read-only":
            subprocess.run(["mount", "-o", "remount,ro", str(data_dir)], check=True)
        yield request.param, data_dir
    finally:
        subprocess.run(["umount", "-l", str(data_dir)], check=False)


@pytest.fixture
async def store_client(store: tuple[str, Path], settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"data_dir": store[1], "audit_sealer": False}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_full_or_read_only_store_answers_507_or_503_and_keeps_nothing(
        api: Api, store: tuple[str, Path], store_client: httpx.AsyncClient) -> None:
    kind, data_dir = store
    _, officer = await api.user("officer", [api.units["d1"]])
    before = await api.pool.fetchval("SELECT count(*) FROM attachments")
    audits = await api.pool.fetchval("SELECT count(*) FROM audit_log WHERE action = 'attachment.upload'")
    data = png("x" * 64_000)  # bigger than the whole 16 KiB store
    r = await store_client.post("/api/attachments", headers=officer,
                                files={"file": ("现场照片.png", data, "image/png")})
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    if kind == "full":
        assert r.status_code == 507, r.text
        assert problem["type"] == "urn:cadre:problem:storage-full"
        assert "存储空间已满" in problem["detail"] and "管理员" in problem["detail"]
    else:
        assert r.status_code == 503, r.text
        assert problem["type"] == "urn:cadre:problem:storage-unavailable"
        assert "只读" in problem["detail"] and "管理员" in problem["detail"]
    assert r.headers["retry-after"]
    assert await api.pool.fetchval("SELECT count(*) FROM attachments") == before
    assert await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'attachment.upload'") == audits
    leftovers = [p for p in (data_dir / "attachments").rglob("*") if p.is_file()]
    assert leftovers == []  # no staged part, no blob
