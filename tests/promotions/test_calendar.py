"""Working days on the holiday calendar: weekends, public holidays and adjusted working weekends."""

from tests.factories import Api


async def _days(api: Api, headers: dict[str, str], start: str, end: str) -> dict[str, object]:
    r = await api.client.get("/api/promotions/working-days", headers=headers,
                             params={"start": start, "end": end})
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


async def test_working_days_across_national_day_and_spring_festival(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    # Fri 27 Sep, Sun 29 Sep (adjusted working day), Mon 30 Sep, then 1-7 Oct off, Tue 8, Wed 9.
    assert (await _days(api, officer, "2024-09-27", "2024-10-09"))["working_days"] == 5
    assert (await _days(api, officer, "2024-09-27", "2024-10-08"))["working_days"] == 4
    assert (await _days(api, officer, "2024-10-12", "2024-10-12"))["working_days"] == 1  # Saturday worked
    # 2025 Spring Festival: 28 Jan - 4 Feb off; Sun 26 Jan and Sat 8 Feb are working days.
    assert (await _days(api, officer, "2025-01-25", "2025-02-09"))["working_days"] == 6
    # 2026 National Day: 1-7 Oct off, Sat 10 Oct worked.
    assert (await _days(api, officer, "2026-09-28", "2026-10-10"))["working_days"] == 6
    plain = await _days(api, officer, "2023-03-06", "2023-03-12")
    assert plain["working_days"] == 5 and plain["covered"] is False


async def test_calendar_is_data_and_a_range_is_bounded(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    holidays = await api.pool.fetchval(
        "SELECT count(*) FROM calendar_days WHERE NOT is_working "
        "AND day BETWEEN '2024-01-01' AND '2024-12-31'")
    assert holidays == 1 + 8 + 3 + 5 + 1 + 3 + 7
    r = await api.client.get("/api/promotions/working-days", headers=officer,
                             params={"start": "2024-10-09", "end": "2024-09-27"})
    assert r.status_code == 422
