"""The small-count search the demo test runs finds what a reader would: it is checked on leaky pages."""

from __future__ import annotations

from tests.e2e.disclosure import derivable_across_reports, derivable_small_counts

DOSAGE = ["week", "subject", "students", "met_plan"]


def fig(value: float | None, n: int | None, unit: str = "%") -> dict:
    hidden = value is None
    return {
        "value": value,
        "n": n,
        "unit": unit,
        "suppressed": hidden,
        "text": "suppressed" if hidden else f"{value}",
    }


def document(*sections: dict) -> dict:
    return {"period_start": "2026-01-12", "sections": list(sections)}


def section(key: str, columns: list[str], rows: list[list[object]], charts: list | None = None) -> dict:
    table = {"columns": [{"key": column} for column in columns], "rows": rows}
    return {"key": key, "table": table, "charts": charts or []}


def test_a_percentage_with_its_n_gives_its_count_away() -> None:
    leaky = document(section("dosage", ["week", "met_plan"], [["2026-01-12", fig(4.2, 24)]]))
    assert derivable_small_counts(leaky, 10) == ["dosage: met_plan 4.2"]
    assert (
        derivable_small_counts(document(section("dosage", ["week", "met_plan"], [["w", fig(50.0, 24)]])), 10)
        == []
    )


def test_a_hidden_tier_comes_back_from_its_grades_total() -> None:
    columns = ["subject", "grade", "tier1", "tier2", "tier3"]
    rows = [
        ["ELA", "All grades", fig(70.0, 100), fig(20.0, 100), fig(10.0, 100)],
        ["ELA", "01", fig(None, None), fig(None, None), fig(None, None)],  # 4 students in tier 3
        ["ELA", "02", fig(72.0, 50), fig(22.0, 50), fig(None, None)],  # 3 in tier 3, hidden alone
    ]
    leaks = derivable_small_counts(document(section("pyramid", columns, rows)), 10)
    assert any("'02', 3) = 3" in leak for leak in leaks), leaks


def test_a_school_dashboard_can_fill_in_what_the_district_hid() -> None:
    hidden = fig(None, None, "")
    schools_columns = ["school", "subject", "tier23", "tutored", "met_plan"]
    district = document(
        section(
            "schools",
            schools_columns,
            [
                ["A", "ELA", hidden, hidden, hidden],  # 7 tutored: small
                ["B", "ELA", hidden, hidden, hidden],  # 40, hidden so that A's 7 stays hidden
                ["C", "ELA", hidden, fig(100, 100, ""), hidden],
            ],
        ),
        section("pyramid", ["subject", "grade", "tier1", "tier2", "tier3"], []),
        section(
            "dosage", ["week", "subject", "students", "met_plan"], [["w", "ELA", fig(147, 147, ""), hidden]]
        ),
    )
    assert derivable_small_counts(district, 10) == []

    def school(name: str, tutored: dict) -> dict:
        own = document(
            section("pyramid", ["subject", "grade", "tier1", "tier2", "tier3"], []),
            section("dosage", DOSAGE, [["w", "ELA", tutored, hidden]]),
        )
        return dict(own, title=f"Tutoring dashboard: {name}")

    dashboards = [school("A", hidden), school("B", fig(40, 40, "")), school("C", fig(100, 100, ""))]
    leaks = derivable_across_reports(district, dashboards, 10)
    assert leaks == ["('schools', 'ELA', 0, 'tutored') = 7, worked out across reports"]
