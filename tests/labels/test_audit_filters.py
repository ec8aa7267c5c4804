"""The audit page's filters in Chinese: actions by their wording, accounts by name, object types
once per name; choosing one filters the trail (and a shared name filters all of its codes)."""

import html
import re

from schemas import labels
from tests.factories import PASSWORD, Api
from tests.labels.test_labels import RAW, _visible_text


def _options(page: str, select_id: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of a select of the page."""
    body = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, flags=re.S)
    assert body is not None, select_id
    return [(html.unescape(value), html.unescape(text).strip(), bool(selected))
            for value, selected, text in re.findall(
                r'<option value="([^"]*)"( selected)?>(.*?)</option>', body.group(1), flags=re.S)]


def _shown_actions(page: str) -> list[str]:
    """The action codes of the trail's rows (kept in the title of the Chinese wording)."""
    return re.findall(r'<span class="cell-label">操作</span><span title="([^"]*)"', page)


async def test_the_audit_filters_offer_chinese_names_once_each(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    wrong = await api.client.post("/api/auth/password", headers=officer,
                                  json={"current_password": "Not-the@pass9", "new_password": PASSWORD})
    assert wrong.status_code in (400, 401, 403, 422), wrong.text
    _, auditor = await api.user("auditor")
    page = await api.client.get("/audit", headers=auditor)
    assert page.status_code == 200, page.text

    actions = _options(page.text, "a-action")
    worded = {value: text for value, text, _ in actions if value}
    assert worded["auth.login.success"] == labels.AUDIT_ACTION["auth.login.success"]
    assert worded["user.password_change.failure"] == labels.AUDIT_ACTION["user.password_change.failure"]
    assert [text for text in worded.values() if RAW.search(text)] == []
    assert len(set(worded.values())) == len(worded)

    types = _options(page.text, "a-type")
    names = [text for value, text, _ in types if value]
    assert len(names) == len(set(names)) == len(set(labels.AUDIT_OBJECT.values()))
    for name in ("家庭成员", "审计日志", "季度考核", "选派", "领导班子"):
        assert names.count(name) == 1, name

    accounts = {value: text for value, text, _ in _options(page.text, "a-actor") if value}
    async with api.pool.acquire() as conn:
        who = await conn.fetchrow("SELECT display_name, username FROM users WHERE id = $1", officer_id)
    assert accounts[str(officer_id)] == f"{who['display_name']}（{who['username']}）"
    assert "操作人编号" not in _visible_text(page.text)


async def test_a_chosen_action_and_account_filter_the_trail(api: Api) -> None:
    officer_id, officer = await api.user("officer", [api.units["d1"]])
    other_id, _ = await api.user("officer", [api.units["d1"]])
    wrong = await api.client.post("/api/auth/password", headers=officer,
                                  json={"current_password": "Not-the@pass9", "new_password": PASSWORD})
    assert wrong.status_code in (400, 401, 403, 422), wrong.text
    _, auditor = await api.user("auditor")

    # The account chosen by name: only its entries, and the choice stays selected.
    page = await api.client.get("/audit", headers=auditor, params={"actor_id": officer_id})
    assert page.status_code == 200, page.text
    assert [v for v, _, selected in _options(page.text, "a-actor") if selected] == [str(officer_id)]
    # The column names each account as 显示名（用户名）, never by its number.
    accounts = [(await api.client.get(f"/api/users/{i}", headers=api.admin)).json()
                for i in (officer_id, other_id)]
    names = {u["id"]: f"{u['display_name']}（{u['username']}）" for u in accounts}
    actors = re.findall(r'<span class="cell-label">操作人</span>([^<]*)</td>', page.text)
    assert actors and set(actors) == {names[officer_id]}
    assert names[other_id] not in actors

    # A chosen action is that action only: 修改本人密码 is not also its failure.
    for code in ("user.password_change.failure", "auth.login.success"):
        page = await api.client.get("/audit", headers=auditor,
                                    params={"actor_id": officer_id, "action": code})
        assert set(_shown_actions(page.text)) == {code}, code
        assert [v for v, _, selected in _options(page.text, "a-action") if selected] == [code]
    page = await api.client.get("/audit", headers=auditor,
                                params={"actor_id": officer_id, "action": "user.password_change"})
    assert "user.password_change.failure" not in _shown_actions(page.text)
    # A prefix from a URL (the API's meaning) still filters by prefix and is offered in Chinese.
    page = await api.client.get("/audit", headers=auditor,
                                params={"actor_id": officer_id, "action": "user"})
    assert set(_shown_actions(page.text)) == {"user.password_change.failure"}
    assert [t for _, t, selected in _options(page.text, "a-action") if selected] == ["账号（全部操作）"]


async def test_an_object_name_shared_by_two_codes_filters_both(api: Api) -> None:
    _, auditor = await api.user("auditor")
    assert (await api.client.get("/audit", headers=auditor)).status_code == 200  # an audit_log entry
    page = await api.client.get("/audit", headers=auditor, params={"object_type": "audit"})
    chosen = [text for _, text, selected in _options(page.text, "a-type") if selected]
    assert chosen == ["审计日志"]
    assert "audit.read" in _shown_actions(page.text)
