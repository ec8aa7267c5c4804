"""ID numbers checked against birth date and gender; 三龄两历一身份 findings per cadre; 到龄 in the API."""

from datetime import date

from service.forms.model import CadreForm, ResumeRow
from service.quality.checks import check_form
from tests.factories import Api, national_id


async def test_an_id_number_of_a_woman_born_1975_is_refused_for_a_man_born_1980(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    body = api.cadre_body(api.units["d1_bureau"], gender="male", birth_date="1980-03-04",
                          national_id=national_id(date(1975, 6, 1), 8, "female"))
    r = await api.client.post("/api/cadres", headers=officer, json=body)
    assert r.status_code == 422
    [error] = [e for e in r.json()["errors"] if e["field"] == "national_id"]
    assert "1975-06-01" in error["message"] and "性别" in error["message"]
    async with api.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cadres WHERE national_id = $1",
                                   body["national_id"]) == 0


def _form(**overrides: object) -> CadreForm:
    form = CadreForm(name="测试", gender="male", birth_date=date(1980, 5, 1),
                     national_id=national_id(date(1980, 5, 1), 3), work_start_date=date(2002, 7, 1),
                     party_join_date=date(2001, 6, 1), ft_level="bachelor", current_post_text="某局局长",
                     resume=[ResumeRow(date(1998, 9, 1), date(2002, 7, 1), "某大学土木工程专业学习"),
                             ResumeRow(date(2002, 7, 1), date(2010, 1, 1), "某局科员"),
                             ResumeRow(date(2010, 1, 1), None, "某局局长")])
    for key, value in overrides.items():
        setattr(form, key, value)
    return form


def test_a_consistent_form_has_no_findings() -> None:
    assert check_form(_form()) == []


def test_ages_histories_and_identity_that_disagree_are_each_reported() -> None:
    form = _form(work_start_date=date(1995, 7, 1), party_join_date=date(1997, 1, 1),
                 national_id=national_id(date(1980, 6, 1), 4, "female"),
                 resume=[ResumeRow(date(1998, 9, 1), date(2002, 7, 1), "某大学土木工程专业学习"),
                         ResumeRow(date(2003, 3, 1), date(2010, 1, 1), "某局科员"),
                         ResumeRow(date(2009, 6, 1), date(2015, 1, 1), "某局副局长"),
                         ResumeRow(date(2015, 1, 1), date(2020, 1, 1), "某局局长")])
    codes = {f.code for f in check_form(form)}
    assert codes == {"id_birth", "id_gender", "work_age", "party_age", "resume_gap", "resume_overlap",
                     "work_start_resume", "resume_current"}


def test_open_rows_before_the_last_and_education_without_study_are_reported() -> None:
    form = _form(resume=[ResumeRow(date(2002, 7, 1), None, "某局科员"),
                         ResumeRow(date(2010, 1, 1), None, "某局局长")])
    codes = {f.code for f in check_form(form)}
    assert codes == {"resume_open", "education_resume"}


async def test_quality_report_lists_findings_and_the_retirement_month(api: Api) -> None:
    _, officer = await api.user("officer", [api.units["d1"]])
    cadre = await api.cadre(officer, api.units["d1_bureau"], gender="female", birth_date="1972-03-15",
                            work_start_date="1986-07-01")
    r = await api.client.get(f"/api/cadres/{cadre['id']}/quality", headers=officer)
    assert r.status_code == 200, r.text
    out = r.json()
    # A woman cadre born 1972-03: 55 + (26 // 4 + 1) = 55 years 7 months, reached 2027-10.
    assert (out["retirement"], out["retirement_age"]) == ("2027.10", "55岁7个月")
    assert "work_age" in {f["code"] for f in out["findings"]}
    _, outsider = await api.user("officer", [api.units["d2"]])
    assert (await api.client.get(f"/api/cadres/{cadre['id']}/quality", headers=outsider)).status_code == 404
