"""Probe: a batch export's zip is handed out only while its owner may still read what it holds.

A zip is built once, with its requester's role and scope of that time — an officer's dossiers
carry whole national ID numbers — and downloaded later. An officer who queued a batch and was then
made a leader (or researcher) by an administrator, or whose scope was narrowed, still downloaded
the officer's zip: whole ID numbers for a leader, dossiers of cadres no longer in their scope. The
download is now checked against the owner's current role and scope: 403 with a Chinese problem,
no bytes, and an `access.refused` audit entry naming the job.
"""

from typing import Any

from tests.factories import Api
from tests.security.world import change_account, finished_job


async def _username(api: Api, headers: dict[str, str]) -> str:
    me = await api.client.get("/api/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    name: str = me.json()["username"]
    return name


async def _refusals(api: Api, user_id: int, job_id: int) -> list[dict[str, Any]]:
    rows = await api.pool.fetch(
        "SELECT details FROM audit_log WHERE action = 'access.refused' AND actor_id = $1 "
        "AND object_type = 'export_job' AND object_id = $2 ORDER BY id", user_id, str(job_id))
    return [r["details"] for r in rows]


async def _downloads(api: Api, job_id: int) -> int:
    n: int = await api.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'export.batch.download' AND object_id = $1",
        str(job_id))
    return n


def _refused(r: Any) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "不能再下载" in r.json()["detail"] and "重新导出" in r.json()["detail"]
    assert b"PK" not in r.content[:4]


async def test_an_officers_zip_is_refused_once_the_account_is_made_a_leader(api: Api) -> None:
    user_id, officer = await api.user("officer", [api.units["d1"]])
    username = await _username(api, officer)
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    job = await finished_job(api, officer, [cadre["id"]])
    assert (await api.client.get(job["download_url"], headers=officer)).status_code == 200
    await change_account(api, user_id, role="leader")
    leader = await api.login(username)
    r = await api.client.get(job["download_url"], headers=leader)
    _refused(r)
    assert cadre["national_id"] not in r.text
    refusals = await _refusals(api, user_id, job["id"])
    assert len(refusals) == 1
    assert (refusals[0]["role"], refusals[0]["built_as"]) == ("leader", "officer")
    assert refusals[0]["path"] == job["download_url"] and "角色" in refusals[0]["reason"]
    assert await _downloads(api, job["id"]) == 1
    # As a researcher the route itself is closed to the account.
    await change_account(api, user_id, role="researcher")
    researcher = await api.login(username)
    assert (await api.client.get(job["download_url"], headers=researcher)).status_code == 403
    # Made an officer again (same scope), the account may have its zip.
    await change_account(api, user_id, role="officer")
    officer = await api.login(username)
    assert (await api.client.get(job["download_url"], headers=officer)).status_code == 200
    assert await _downloads(api, job["id"]) == 2


async def test_a_zip_is_refused_once_the_scope_no_longer_covers_a_cadre_in_it(api: Api) -> None:
    user_id, officer = await api.user("officer", [api.units["d1"]])
    username = await _username(api, officer)
    district = await api.cadre(officer, api.units["d1"], name="王立新")
    bureau = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    job = await finished_job(api, officer, [district["id"], bureau["id"]])
    await change_account(api, user_id, scopes=[{"unit_id": api.units["d1_bureau"], "tier": None}])
    narrowed = await api.login(username)
    _refused(await api.client.get(job["download_url"], headers=narrowed))
    refusals = await _refusals(api, user_id, job["id"])
    assert [d["cadre_ids"] for d in refusals] == [[district["id"]]]
    assert await _downloads(api, job["id"]) == 0
    # A zip of cadres the narrowed scope still covers is handed out.
    kept = await finished_job(api, narrowed, [bureau["id"]])
    assert (await api.client.get(kept["download_url"], headers=narrowed)).status_code == 200


async def test_a_leaders_masked_zip_stays_theirs_also_as_an_officer(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    leader_id, leader = await api.user("leader", [api.units["d1"]])
    username = await _username(api, leader)
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    job = await finished_job(api, leader, [cadre["id"]])
    assert await api.pool.fetchval("SELECT built_as FROM export_jobs WHERE id = $1", job["id"]) == "leader"
    assert (await api.client.get(job["download_url"], headers=leader)).status_code == 200
    await change_account(api, leader_id, role="officer")
    officer_now = await api.login(username)
    assert (await api.client.get(job["download_url"], headers=officer_now)).status_code == 200
    assert not await _refusals(api, leader_id, job["id"])
