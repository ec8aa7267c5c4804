""""Today" is China's date at every hour: the filing form's default date is accepted at 23:30 UTC
and at 00:30 China time, and a date after China's today is refused under the date field."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from schemas import clock
from schemas.cadres import CadreCreate
from schemas.service_logs import ServiceLogCreate
from tests.factories import Api, campaign_with_team, record_body

CHINA = timezone(timedelta(hours=8))
# 23:30 UTC on 30 November is already 07:30 on 1 December in China.
LATE_UTC = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
# 00:30 China time on 1 December is still 16:30 on 30 November in UTC.
EARLY_CHINA = datetime(2026, 12, 1, 0, 30, tzinfo=CHINA)
MOMENTS = pytest.mark.parametrize("moment", [LATE_UTC, EARLY_CHINA], ids=["23:30 UTC", "00:30 China"])


@MOMENTS
def test_today_is_chinas_date(moment: datetime) -> None:
    with clock.frozen(moment):
        assert clock.today() == date(2026, 12, 1)
        assert clock.now().tzinfo is not None and clock.now().utcoffset() == timedelta(0)
        assert clock.local_now().date() == date(2026, 12, 1)


@MOMENTS
async def test_record_dated_chinas_today_is_filed_and_tomorrow_is_refused_under_its_field(
        api: Api, moment: datetime) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    rid, researcher = await api.user("researcher")
    cadre = await api.cadre(officer, api.units["d1_bureau"])
    campaign = await campaign_with_team(api, officer, [rid], [api.units["d1"]])
    with clock.frozen(moment):
        ok = await api.client.post("/api/records", headers=researcher, json=record_body(
            campaign, [cadre["id"]], occurred_on="2026-12-01"))
        assert ok.status_code == 201, ok.text
        bad = await api.client.post("/api/records", headers=researcher, json=record_body(
            campaign, [cadre["id"]], occurred_on="2026-12-02"))
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["occurred_on"]
    assert "不能晚于今天" in bad.json()["errors"][0]["message"]


@MOMENTS
def test_service_log_and_birth_date_use_chinas_today(moment: datetime) -> None:
    with clock.frozen(moment):
        ServiceLogCreate.model_validate({
            "kind": "window_service", "cadre_id": 1, "served_on": "2026-12-01", "place": "政务服务中心",
            "items_handled": 1, "problems_solved": 0})
        with pytest.raises(ValidationError) as refused:
            ServiceLogCreate.model_validate({
                "kind": "window_service", "cadre_id": 1, "served_on": "2026-12-02", "place": "政务服务中心",
                "items_handled": 1, "problems_solved": 0})
        assert refused.value.errors()[0]["loc"] == ("served_on",)
        with pytest.raises(ValidationError) as born:
            CadreCreate.model_validate({"name": "测试", "gender": "male", "birth_date": "2026-12-01",
                                        "unit_id": 1, "post": "科员"})
        assert ("birth_date",) in [e["loc"] for e in born.value.errors()]
