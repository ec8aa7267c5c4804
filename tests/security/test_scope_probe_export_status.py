"""Probe: a batch export job's status offers its download only while the download would be handed out.

The download of a finished zip is re-authorized against its owner's current role and scope
(test_scope_probe_export_downloads.py). The job's status still answered with a download_url after
the owner was made a leader or their scope was narrowed, pointing at a zip they may no longer have.
Now the status of such a job has no download_url and says why (download_refused, in Chinese); the
download itself stays refused, and a job the owner may still download keeps its link.
"""

from typing import Any

from tests.factories import Api
from tests.security.world import change_account, finished_job


async def _change(api: Api, user_id: int, **fields: Any) -> dict[str, str]:
    """Change the account as the administrator, and log in again."""
    return await api.login(await change_account(api, user_id, **fields))


async def _status(api: Api, headers: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    r = await api.client.get(job["status_url"], headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    assert out["status"] == "done", out
    return out


async def test_an_officers_job_status_drops_the_download_once_the_account_is_a_leader(api: Api) -> None:
    user_id, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    job = await finished_job(api, officer, [cadre["id"]])
    assert job["download_url"] and job.get("download_refused") is None
    leader = await _change(api, user_id, role="leader")
    status = await _status(api, leader, job)
    assert status["download_url"] is None, status
    assert "角色" in status["download_refused"] and "重新导出" in status["download_refused"]
    assert (await api.client.get(job["download_url"], headers=leader)).status_code == 403
    # Made an officer again, the account has its link (and its zip) back.
    officer = await _change(api, user_id, role="officer")
    status = await _status(api, officer, job)
    assert status["download_url"] == job["download_url"] and status["download_refused"] is None
    assert (await api.client.get(status["download_url"], headers=officer)).status_code == 200


async def test_the_status_drops_the_download_once_the_scope_no_longer_covers_a_cadre(api: Api) -> None:
    user_id, officer = await api.user("officer", [api.units["d1"]])
    district = await api.cadre(officer, api.units["d1"], name="王立新")
    bureau = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    both = await finished_job(api, officer, [district["id"], bureau["id"]])
    narrowed = await _change(api, user_id, scopes=[{"unit_id": api.units["d1_bureau"], "tier": None}])
    status = await _status(api, narrowed, both)
    assert status["download_url"] is None, status
    assert "范围" in status["download_refused"]
    # Nothing in the refusal names the cadre that left the scope.
    assert str(district["id"]) not in status["download_refused"]
    # A job of cadres the narrowed scope still covers keeps its link.
    kept = await finished_job(api, narrowed, [bureau["id"]])
    assert kept["download_url"] and kept["download_refused"] is None
    assert (await api.client.get(kept["download_url"], headers=narrowed)).status_code == 200
