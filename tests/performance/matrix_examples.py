"""Objects and example bodies of issue 7 for the authorization matrix (tests/security).

`add_objects(world)` creates, for each kind below, one object in district 1 (in scope for the
world's officer and leader) and its mirror in district 2, and records them in `world.objects`.
PARAM_KINDS and BODIES are meant to be merged into the matrix's tables of the same names.
"""

from typing import Any

from tests.factories import Api
from tests.xlsx import XLSX, book_bytes

PARAM_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "period_id": ("assessment_period", frozenset({"officer", "leader"})),
    "adjustment_id": ("assessment_adjustment", frozenset({"officer"})),
    "contest_id": ("contest", frozenset({"officer", "leader"})),
    "presentation_id": ("contest_presentation", frozenset({"officer", "leader"})),
    "program_id": ("secondment_program", frozenset({"officer", "leader"})),
    "placement_id": ("secondment_placement", frozenset({"officer"})),
    "task_force_id": ("task_force", frozenset({"officer", "leader"})),
    "log_id": ("service_log", frozenset({"officer", "leader"})),
}


def _sheet(code: str) -> bytes:
    return book_bytes([["单位代码", "经济运行"], [code, 88]])


def _data(w: Any) -> dict[str, Any]:
    data: dict[str, Any] = w.data["performance"]
    return data


BODIES: dict[str, Any] = {
    "PUT /api/assessments/periods/{period_id}": lambda w: {"json": {
        "name": "2024年第三季度", "starts_on": "2024-07-01", "ends_on": "2024-09-30",
        "unit_ids": [_data(w)["unit_id"]], "version": 1,
        "indicators": [{"code": "econ", "name": "经济运行", "weight": 100}]}},
    "POST /api/assessments/periods/{period_id}/publish": lambda w: {"json": {"version": 1}},
    "POST /api/assessments/periods/{period_id}/lock": lambda w: {"json": {"version": 1}},
    "PUT /api/assessments/periods/{period_id}/scores": lambda w: {"json": {"scores": [
        {"unit_id": _data(w)["unit_id"], "indicator_code": "econ", "score": 80, "version": 1}]}},
    "POST /api/assessments/periods/{period_id}/adjustments": lambda w: {"json": {
        "unit_id": _data(w)["unit_id"], "kind": "bonus", "points": 1, "reason": "重点项目提前开工"}},
    "POST /api/assessments/periods/{period_id}/adjustments/{adjustment_id}/withdraw": lambda w: {
        "json": {"reason": "重复录入"}},
    "POST /api/assessments/periods/{period_id}/corrections": lambda w: {"json": {
        "version": 1, "reason": "统计数据复核更正",
        "scores": [{"unit_id": _data(w)["unit_id"], "indicator_code": "econ", "score": 81}]}},
    "POST /api/assessments/periods/{period_id}/import": lambda w: {"files": {"file": (
        "得分.xlsx", _sheet(_data(w)["unit_code"]), XLSX)}},
    "POST /api/contests/{contest_id}/presentations": lambda w: {"json": {
        "cadre_id": _data(w)["cadre_id"], "achievements": "完成老旧小区改造"}},
    "PUT /api/contests/{contest_id}/presentations/{presentation_id}": lambda w: {"json": {"version": 1}},
    "POST /api/contests/{contest_id}/presentations/{presentation_id}/evidence": lambda w: {"json": {
        "evidence": [{"domain": "urban_renewal", "judgement": "negative", "title": "拆违进度偏慢"}]}},
    "POST /api/secondments/programs/{program_id}/placements": lambda w: {"json": {"placements": [
        {"cadre_id": _data(w)["cadre_id"], "task_force_unit_id": _data(w)["task_force_id"],
         "starts_on": "2024-10-01", "ends_on": "2024-10-31"}]}},
    "PUT /api/secondments/programs/{program_id}/placements/{placement_id}": lambda w: {"json": {
        "version": 1, "starts_on": "2024-01-01", "ends_on": "2024-03-31"}},
    "PUT /api/secondments/task-forces/{task_force_id}/metric-values": lambda w: {"json": {"values": [
        {"metric_code": _data(w)["metric_code"], "recorded_on": "2024-02-01", "value": 5}]}},
    "PUT /api/service-logs/{log_id}": lambda w: {"json": {
        "version": 1, "served_on": "2024-03-01", "items_handled": 9, "problems_solved": 1}},
    "POST /api/service-logs/{log_id}/void": lambda w: {"json": {"version": 1, "reason": "重复录入"}},
}


async def _ok(api: Api, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    r = await api.client.request(method, path, headers=headers, json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


async def _district(api: Api, officer: dict[str, str], district: int, bureau: int, cadre_id: int,
                    metric_code: str) -> dict[str, int]:
    """One object of each kind in a district, made by an officer scoped to it."""
    period = await _ok(api, "POST", "/api/assessments/periods", officer, {
        "code": "2024Q3", "name": "2024年第三季度", "owner_unit_id": district, "starts_on": "2024-07-01",
        "ends_on": "2024-09-30", "unit_ids": [bureau],
        "indicators": [{"code": "econ", "name": "经济运行", "weight": 100}]})
    pid = period["id"]
    await _ok(api, "PUT", f"/api/assessments/periods/{pid}/scores", officer,
              {"scores": [{"unit_id": bureau, "indicator_code": "econ", "score": 90}]})
    adjustment = await _ok(api, "POST", f"/api/assessments/periods/{pid}/adjustments", officer, {
        "unit_id": bureau, "kind": "deduction", "points": 1, "reason": "信访事项办理超期"})
    await _ok(api, "POST", f"/api/assessments/periods/{pid}/publish", officer, {"version": 3})
    contest = await _ok(api, "POST", "/api/contests", officer, {
        "name": "部门一把手擂台比武", "level": "department_head", "held_on": "2024-09-20",
        "organizer_unit_id": district})
    presentation = await _ok(api, "POST", f"/api/contests/{contest['id']}/presentations", officer, {
        "cadre_id": cadre_id, "shortcomings": "项目推进偏慢", "scores": [{"scorer": "评委", "score": 85}]})
    task_force = await api.unit("task_force", "城市更新专班", district)
    program = await _ok(api, "POST", "/api/secondments/programs", officer, {
        "name": "一线选派", "owner_unit_id": district, "starts_on": "2024-01-01", "ends_on": "2024-12-31",
        "task_force_unit_ids": [task_force]})
    placed = await _ok(api, "POST", f"/api/secondments/programs/{program['id']}/placements", officer, {
        "placements": [{"cadre_id": cadre_id, "task_force_unit_id": task_force, "starts_on": "2024-01-01",
                        "ends_on": "2024-06-30"}]})
    await _ok(api, "PUT", f"/api/secondments/task-forces/{task_force}/metric-values", officer, {
        "values": [{"metric_code": metric_code, "recorded_on": "2024-03-01", "value": 12}]})
    log = await _ok(api, "POST", "/api/service-logs", officer, {
        "kind": "window_service", "cadre_id": cadre_id, "served_on": "2024-03-01", "items_handled": 8,
        "problems_solved": 2})
    return {"assessment_period": pid, "assessment_adjustment": adjustment["id"], "contest": contest["id"],
            "contest_presentation": presentation["id"], "secondment_program": program["id"],
            "secondment_placement": placed[0]["id"], "task_force": task_force, "service_log": log["id"]}


async def add_objects(world: Any) -> None:
    """Create the issue-7 objects of both districts and record them in the world."""
    api: Api = world.api
    u = api.units
    _, officer2 = await api.user("officer", [u["d2"]])
    officer = world.headers["officer"]
    metric = await _ok(api, "POST", "/api/secondments/metrics", officer, {
        "code": f"contacts{api.tag}", "name": f"客户接触{api.tag}", "unit_label": "次"})
    cadres = []
    for headers, bureau in ((officer, u["d1_bureau"]), (officer2, u["d2_bureau"])):
        cadres.append((await _ok(api, "POST", "/api/cadres", headers, api.cadre_body(bureau)))["id"])
    inside = await _district(api, officer, u["d1"], u["d1_bureau"], cadres[0], metric["code"])
    outside = await _district(api, officer2, u["d2"], u["d2_bureau"], cadres[1], metric["code"])
    world.objects.update({kind: (inside[kind], outside[kind]) for kind in inside})
    code = await api.pool.fetchval("SELECT code FROM units WHERE id = $1", u["d1_bureau"])
    world.data["performance"] = {"unit_id": u["d1_bureau"], "unit_code": code, "cadre_id": cadres[0],
                                 "task_force_id": inside["task_force"], "metric_code": metric["code"]}
