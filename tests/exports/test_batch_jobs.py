"""Batch export jobs: 202, progress to the total, a zip of audited PDFs, scope kept, restarts."""

import asyncio
import hashlib
import io
import json
import zipfile
from typing import Any

import httpx

from tests.dossier.helpers import SERIAL_RE, dossier_world
from tests.factories import Api

MISSING_ID = 987654321


async def wait_for_job(client: httpx.AsyncClient, headers: dict[str, str], url: str,
                       timeout: float = 90.0) -> dict[str, Any]:
    """Poll a job's status until it is done or failed; every reading's progress is kept."""
    seen: list[int] = []
    for _ in range(int(timeout / 0.2)):
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()
        seen.append(job["done"])
        assert job["done"] <= job["total"]
        if job["status"] in ("done", "failed"):
            assert seen == sorted(seen), "progress never goes back"
            return job
        await asyncio.sleep(0.2)
    raise AssertionError(f"job not finished in {timeout} s: {job}")


async def test_batch_export_zips_each_readable_dossier_and_reports_the_rest_as_not_found(
        api: Api) -> None:
    world = await dossier_world(api)
    second = await api.cadre(world.officer, api.units["d1"], name="王立新")
    _, other_officer = await api.user("officer", [api.units["d2"]])
    foreign = await api.cadre(other_officer, api.units["d2_bureau"], name="赵敏")
    ids = [world.cadre["id"], foreign["id"], second["id"], MISSING_ID, world.cadre["id"]]
    r = await api.client.post("/api/exports/batch", headers=world.officer, json={"cadre_ids": ids})
    assert r.status_code == 202, r.text
    created = r.json()
    assert r.headers["location"] == created["status_url"] and created["total"] == 4
    job = await wait_for_job(api.client, world.officer, created["status_url"])
    assert job["status"] == "done", job
    assert (job["done"], job["total"], job["exported"]) == (4, 4, 2)
    assert job["not_found"] == [foreign["id"], MISSING_ID]
    # Only the owner sees the job; everyone else gets the same 404 as for no job at all.
    for url in (job["status_url"], job["download_url"]):
        assert (await api.client.get(url, headers=world.leader)).status_code == 404
    assert (await api.client.get("/api/exports/jobs/999999999",
                                 headers=world.officer)).status_code == 404

    download = await api.client.get(job["download_url"], headers=world.officer)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert hashlib.sha256(download.content).hexdigest() == job["zip_sha256"]
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert len(pdfs) == 2 and "林振华" in pdfs[0] and "王立新" in pdfs[1]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["not_found"] == [foreign["id"], MISSING_ID]
    assert "赵敏" not in json.dumps(manifest, ensure_ascii=False) + " ".join(archive.namelist())
    rows = await api.pool.fetch("SELECT * FROM exports WHERE job_id = $1 ORDER BY id", job["id"])
    assert [list(r["object_ids"]) for r in rows] == [[world.cadre["id"]], [second["id"]]]
    for row, entry in zip(rows, manifest["files"], strict=True):
        data = archive.read(entry["file"])
        assert SERIAL_RE.match(row["serial"]) and row["serial"] == entry["serial"]
        assert row["serial"] in entry["file"]
        assert hashlib.sha256(data).hexdigest() == row["sha256"] == entry["sha256"]
        assert await api.pool.fetchval(
            "SELECT details->>'sha256' FROM audit_log WHERE action = 'export.dossier' "
            "AND details->>'serial' = $1", row["serial"]) == row["sha256"]
    audited = await api.pool.fetchrow(
        "SELECT * FROM audit_log WHERE action = 'export.batch.download' AND object_id = $1",
        str(job["id"]))
    assert audited is not None and audited["details"]["sha256"] == job["zip_sha256"]


async def test_batch_request_is_validated_and_retry_safe(api: Api) -> None:
    world = await dossier_world(api)
    bad = [{}, {"cadre_ids": []}, {"cadre_ids": [1], "shortlist_id": 1, "version": 1},
           {"shortlist_id": 1}, {"cadre_ids": [0]}, {"cadre_ids": [1], "extra": True}]
    for body in bad:
        assert (await api.client.post("/api/exports/batch", headers=world.officer,
                                      json=body)).status_code == 422, body
    key = {"Idempotency-Key": f"batch-{api.tag}"}
    body = {"cadre_ids": [world.cadre["id"]]}
    first = await api.client.post("/api/exports/batch", headers={**world.officer, **key}, json=body)
    again = await api.client.post("/api/exports/batch", headers={**world.officer, **key}, json=body)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert (await api.client.post("/api/exports/batch", headers=world.researcher,
                                  json=body)).status_code == 403
    await wait_for_job(api.client, world.officer, first.json()["status_url"])


async def test_download_before_the_job_is_done_is_a_conflict(api: Api) -> None:
    world = await dossier_world(api)
    owner = await api.pool.fetchval("SELECT id FROM users WHERE username = $1 ",
                                    await _username(api, world.officer))
    # A job held by a live worker elsewhere: this process must leave it alone.
    job_id = await api.pool.fetchval(
        """INSERT INTO export_jobs (requested_by, cadre_ids, total, status, lease_owner, lease_until)
           VALUES ($1, $2, 1, 'running', 'elsewhere:1:abc', now() + interval '1 hour') RETURNING id""",
        owner, [world.cadre["id"]])
    r = await api.client.get(f"/api/exports/jobs/{job_id}/download", headers=world.officer)
    assert r.status_code == 409 and r.json()["job_status"] == "running"
    await api.pool.execute("UPDATE export_jobs SET status = 'failed', error = '测试结束', "
                           "lease_owner = NULL, lease_until = NULL, finished_at = now() "
                           "WHERE id = $1", job_id)


async def test_job_left_by_a_dead_process_is_claimed_again_after_its_lease(api: Api) -> None:
    world = await dossier_world(api)
    owner = await api.pool.fetchval("SELECT id FROM users WHERE username = $1",
                                    await _username(api, world.officer))
    job_id = await api.pool.fetchval(
        """INSERT INTO export_jobs (requested_by, cadre_ids, total, status, done, lease_owner,
                                    lease_until, attempts, started_at)
           VALUES ($1, $2, 1, 'running', 1, 'dead-host:4242:deadbeef', now() - interval '1 second',
                   1, now() - interval '10 minutes') RETURNING id""",
        owner, [world.cadre["id"]])
    await api.pool.execute("SELECT pg_notify('cadre_exports', '')")
    # Claiming the job again restarts it from zero: the dead process's count of 1 is not a
    # finished zip. Progress is monotonic from the new claim on, so wait for that claim first.
    for _ in range(450):
        if await api.pool.fetchval("SELECT attempts FROM export_jobs WHERE id = $1", job_id) == 2:
            break
        await asyncio.sleep(0.2)
    job = await wait_for_job(api.client, world.officer, f"/api/exports/jobs/{job_id}")
    assert job["status"] == "done" and job["exported"] == 1
    attempts = await api.pool.fetchval("SELECT attempts FROM export_jobs WHERE id = $1", job_id)
    assert attempts == 2


async def test_job_of_a_user_who_lost_export_rights_fails_without_exporting(api: Api) -> None:
    world = await dossier_world(api)
    username = await _username(api, world.researcher)
    user_id = await api.pool.fetchval("SELECT id FROM users WHERE username = $1", username)
    job_id = await api.pool.fetchval(
        "INSERT INTO export_jobs (requested_by, cadre_ids, total) VALUES ($1, $2, 1) RETURNING id",
        user_id, [world.cadre["id"]])
    await api.pool.execute("SELECT pg_notify('cadre_exports', '')")
    for _ in range(300):
        row = await api.pool.fetchrow("SELECT status, error FROM export_jobs WHERE id = $1", job_id)
        if row["status"] == "failed":
            break
        await asyncio.sleep(0.2)
    assert row["status"] == "failed" and "导出权限" in row["error"]
    assert await api.pool.fetchval("SELECT count(*) FROM exports WHERE job_id = $1", job_id) == 0


async def _username(api: Api, headers: dict[str, str]) -> str:
    me = await api.client.get("/api/auth/me", headers=headers)
    name: str = me.json()["username"]
    return name
