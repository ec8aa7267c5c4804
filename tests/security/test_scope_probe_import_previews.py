"""Probe: a staged import (LRMX files, an Excel roster) is shown and applied only within its owner's scope.

A preview is its creator's alone: another officer of the same scope gets 404 for it, as for one
that does not exist (this already held). But a preview stayed readable after its creator's scope
was narrowed — with the registry's current values of a cadre no longer in scope — and an import
could place a cadre in a tier its officer does not manage (the unit was checked, the tier was
not), also when the scope was narrowed between preview and apply. Now a staged import whose
cadres have left the owner's scope is refused (403, Chinese problem, audited, nothing written),
and the unit and tier of every created or moved cadre are checked at preview and again at apply.
"""

from datetime import date, datetime
from typing import Any

from tests.factories import Api, national_id
from tests.lrmx.samples import lrmx
from tests.xlsx import XLSX, book_bytes

HEADER = ["姓名", "性别", "出生日期", "单位代码", "职务", "管理类别", "身份证号"]


def _book(rows: list[list[Any]]) -> bytes:
    return book_bytes([HEADER, *rows])


async def _roster(api: Api, headers: dict[str, str], rows: list[list[Any]]) -> dict[str, Any]:
    r = await api.client.post("/api/rosters/imports", headers=headers,
                              files={"file": ("花名册.xlsx", _book(rows), XLSX)})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def _lrmx(api: Api, headers: dict[str, str], data: bytes, **params: Any) -> dict[str, Any]:
    r = await api.client.post("/api/lrmx/imports", headers=headers, params=params,
                              files={"file": ("任免审批表.lrmx", data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def _edited_form(api: Api, officer: dict[str, str], cadre: dict[str, Any]) -> bytes:
    """The cadre's exported form with its health changed (an update of one field)."""
    r = await api.client.get(f"/api/cadres/{cadre['id']}/form.lrmx", headers=officer)
    assert r.status_code == 200, r.text
    return r.content.decode().replace("<JianKangZhuangKuang>健康</JianKangZhuangKuang>",
                                      "<JianKangZhuangKuang>一般</JianKangZhuangKuang>").encode()


async def _narrow(api: Api, user_id: int, scopes: list[dict[str, Any]]) -> dict[str, str]:
    current = await api.client.get(f"/api/users/{user_id}", headers=api.admin)
    r = await api.client.patch(f"/api/users/{user_id}", headers=api.admin,
                               json={"version": current.json()["version"], "scopes": scopes})
    assert r.status_code == 200, r.text
    return await api.login(current.json()["username"])


async def _code(api: Api, unit_id: int) -> str:
    code: str = await api.pool.fetchval("SELECT code FROM units WHERE id = $1", unit_id)
    return code


async def _cadre_row(api: Api, cadre_id: int) -> dict[str, Any]:
    row = await api.pool.fetchrow("SELECT version, health, post, tier FROM cadres WHERE id = $1", cadre_id)
    return dict(row)


def _refused(r: Any, *hidden: str) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "管理范围" in r.json()["detail"] and "重新上传" in r.json()["detail"], r.json()
    for text in hidden:
        assert text not in r.text


async def test_a_preview_is_read_and_applied_by_its_creator_only(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    _, colleague = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    form = await _lrmx(api, officer, await _edited_form(api, officer, cadre))
    roster = await _roster(api, officer, [["", "", "", "", "局长（主持工作）", "", cadre["national_id"]]])
    before = await _cadre_row(api, cadre["id"])
    for staged in (form, roster):
        status_url = staged["apply_url"].removesuffix("/apply")
        assert (await api.client.get(status_url, headers=colleague)).status_code == 404
        assert (await api.client.post(staged["apply_url"], headers=colleague)).status_code == 404
    assert await _cadre_row(api, cadre["id"]) == before
    r = await api.client.post(form["apply_url"], headers=officer)
    assert r.status_code == 200, r.text
    assert (await _cadre_row(api, cadre["id"]))["health"] == "一般"


async def test_a_preview_is_refused_once_its_cadre_left_the_creators_scope(api: Api) -> None:
    user_id, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    form = await _lrmx(api, officer, await _edited_form(api, officer, cadre))
    roster = await _roster(api, officer, [["", "", "", "", "局长（主持工作）", "", cadre["national_id"]]])
    assert form["files"][0]["status"] == roster["files"][0]["status"] == "update"
    before = await _cadre_row(api, cadre["id"])
    narrowed = await _narrow(api, user_id, [{"unit_id": api.units["d2"], "tier": None}])
    for staged in (form, roster):
        status_url = staged["apply_url"].removesuffix("/apply")
        _refused(await api.client.get(status_url, headers=narrowed), "林振华", "健康")
        _refused(await api.client.post(staged["apply_url"], headers=narrowed), "林振华")
        refusals = await api.pool.fetch(
            "SELECT details FROM audit_log WHERE action = 'access.refused' AND actor_id = $1 "
            "AND object_type = 'format_import' AND object_id = $2", user_id, str(staged["id"]))
        assert len(refusals) == 2 and all(r["details"]["cadre_ids"] == [cadre["id"]] for r in refusals)
    assert await _cadre_row(api, cadre["id"]) == before


async def test_an_import_may_not_place_a_cadre_in_a_tier_outside_the_officers_scope(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]], tier="district_managed")
    cadre = await api.cadre(officer, api.units["d1_bureau"], name="林振华")
    code = await _code(api, api.units["d1_bureau"])
    new_id = national_id(date(1986, 3, 4), 61)
    roster = await _roster(api, officer, [
        ["孙六", "男", datetime(1986, 3, 4), code, "副局长", "市管干部", new_id],
        ["", "", "", "", "", "市管干部", cadre["national_id"]]])
    assert [f["status"] for f in roster["files"]] == ["error", "error"], roster["files"]
    assert all(e["field"] == "管理类别" for f in roster["files"] for e in f["errors"])
    assert (await api.client.post(roster["apply_url"], headers=officer)).status_code == 422
    form_id = national_id(date(1980, 5, 17), 62)
    form = await _lrmx(api, officer, lrmx(id_number=form_id).encode(),
                       unit_id=api.units["d1_bureau"], tier="city_managed")
    assert form["files"][0]["status"] == "error", form["files"]
    assert "管理范围" in form["files"][0]["errors"][0]["message"]
    assert (await api.client.post(form["apply_url"], headers=officer)).status_code == 422
    assert await api.pool.fetchval("SELECT count(*) FROM cadres WHERE national_id = ANY($1::text[])",
                                   [new_id, form_id]) == 0
    assert (await _cadre_row(api, cadre["id"]))["tier"] == "district_managed"


async def test_a_creation_previewed_before_the_tier_left_the_scope_is_not_applied(api: Api) -> None:
    user_id, officer = await api.user("officer", [api.units["d1"]])
    code = await _code(api, api.units["d1_bureau"])
    new_id = national_id(date(1986, 3, 4), 63)
    roster = await _roster(api, officer,
                           [["孙六", "男", datetime(1986, 3, 4), code, "副局长", "市管干部", new_id]])
    form_id = national_id(date(1980, 5, 17), 64)
    form = await _lrmx(api, officer, lrmx(id_number=form_id).encode(),
                       unit_id=api.units["d1_bureau"], tier="city_managed")
    assert roster["files"][0]["status"] == form["files"][0]["status"] == "create"
    narrowed = await _narrow(api, user_id, [{"unit_id": api.units["d1"], "tier": "district_managed"}])
    for staged in (roster, form):
        r = await api.client.post(staged["apply_url"], headers=narrowed)
        assert r.status_code in (403, 409, 422), r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "范围" in r.json()["detail"], r.json()
    assert await api.pool.fetchval("SELECT count(*) FROM cadres WHERE national_id = ANY($1::text[])",
                                   [new_id, form_id]) == 0
