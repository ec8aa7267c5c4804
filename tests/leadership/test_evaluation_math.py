"""The arithmetic of democratic evaluation: totals, half-up rates, favourable rates, overall from sums."""

from service.leadership.evaluation_math import percent, subject_tallies, tally


def test_rates_are_percentages_rounded_half_up_to_two_places() -> None:
    assert percent(2, 3) == "66.67"
    assert percent(1, 8) == "12.50"
    assert percent(1, 800) == "0.13"  # 0.125 rounds up, not to even
    assert percent(0, 5) == "0.00"
    assert percent(3, 3) == "100.00"
    assert percent(0, 0) is None


def test_grade_scale_counts_excellent_and_competent_as_favourable() -> None:
    t = tally({"excellent": 30, "competent": 15, "basically_competent": 4, "incompetent": 1}, "grade", None)
    assert t.total == 50
    assert [(r.grade, r.votes, r.rate) for r in t.rates] == [
        ("excellent", 30, "60.00"), ("competent", 15, "30.00"), ("basically_competent", 4, "8.00"),
        ("incompetent", 1, "2.00")]
    assert t.favourable_rate == "90.00"


def test_approval_scale_for_newly_promoted_cadres_counts_approval_only() -> None:
    t = tally({"approve": 41, "disapprove": 2, "unknown": 4}, "approval", "staff")
    assert t.total == 47 and t.favourable_rate == "87.23"
    assert [r.rate for r in t.rates] == ["87.23", "4.26", "8.51"]


def test_overall_rates_come_from_summed_votes_not_averaged_category_rates() -> None:
    overall, per = subject_tallies([("leadership", "excellent", 1), ("staff", "excellent", 0),
                                    ("staff", "competent", 3)])
    assert [p.rater_category for p in per] == ["leadership", "staff"]
    assert per[0].rates[0].rate == "100.00" and per[1].rates[0].rate == "0.00"
    assert overall.total == 4 and overall.rates[0].rate == "25.00"  # the average would say 50.00


def test_a_subject_without_votes_has_no_rates() -> None:
    t = tally({"excellent": 0}, "grade", None)
    assert t.total == 0 and t.favourable_rate is None and all(r.rate is None for r in t.rates)
