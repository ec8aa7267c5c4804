"""`cadre export dossiers` writes the same zip as a batch job, audited as the named user."""

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from service.config import Settings
from tests.dossier.helpers import dossier_world
from tests.factories import Api

ROOT = Path(__file__).resolve().parents[2]


def cadre_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `cadre` command against the test database, as an operator would."""
    assert settings.database_url
    env = {**os.environ, "CADRE_DATABASE_URL": settings.database_url, "CADRE_ENV": "test",
           "CADRE_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


async def test_cli_exports_dossiers_into_a_zip_with_a_progress_bar(
        api: Api, settings: Settings, tmp_path: Path) -> None:
    world = await dossier_world(api)
    me = (await api.client.get("/api/auth/me", headers=world.officer)).json()
    _, outsider = await api.user("officer", [api.units["d2"]])
    foreign = await api.cadre(outsider, api.units["d2_bureau"], name="赵敏")
    out = tmp_path / "批量导出.zip"
    done = await asyncio.to_thread(
        cadre_cli, settings, "export", "dossiers", "--cadre-id", str(world.cadre["id"]),
        "--cadre-id", str(foreign["id"]), "--as", me["username"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "导出干部档案" in done.stderr and "2/2" in done.stderr, "tqdm progress bar"
    assert str(foreign["id"]) in done.stdout and "赵敏" not in done.stdout
    archive = zipfile.ZipFile(out)
    manifest = json.loads(archive.read("manifest.json"))
    [entry] = manifest["files"]
    assert manifest["not_found"] == [foreign["id"]] and manifest["exported_by"]["username"] == me["username"]
    digest = hashlib.sha256(archive.read(entry["file"])).hexdigest()
    audit = await api.pool.fetchrow(
        "SELECT * FROM audit_log WHERE action = 'export.dossier' AND details->>'serial' = $1",
        entry["serial"])
    assert audit["actor_id"] == me["id"] and audit["details"]["sha256"] == digest
    assert not list(tmp_path.glob("*.part")), "no half-written file left behind"


async def test_cli_refuses_a_user_who_may_not_export(api: Api, settings: Settings,
                                                     tmp_path: Path) -> None:
    world = await dossier_world(api)
    me = (await api.client.get("/api/auth/me", headers=world.researcher)).json()
    done = await asyncio.to_thread(
        cadre_cli, settings, "export", "dossiers", "--cadre-id", str(world.cadre["id"]),
        "--as", me["username"], "--out", str(tmp_path / "x.zip"))
    assert done.returncode == 2 and "不能导出" in done.stderr
    assert not (tmp_path / "x.zip").exists()
