"""The README's lineage drawing is the graph Dagster builds from the definitions."""

from __future__ import annotations

from pathlib import Path

from assets.lineage import SECTION, lineage_text
from hub.generated import replace_section

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lineage_is_the_real_graph() -> None:
    text = README.read_text(encoding="utf-8")
    assert replace_section(text, SECTION, lineage_text()) == text, (
        "the README's lineage is stale: run `tutorhub lineage --write README.md`"
    )


def test_each_asset_names_what_it_reads() -> None:
    drawing = lineage_text()
    assert "tiers               <- assessment_results\n" in drawing
    assert "report_pushes       <- alignment_reports, assessment_results, review_packets, roster" in drawing
