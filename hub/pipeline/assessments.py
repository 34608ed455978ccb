"""The assessment-results step: vendor results matched to the roster behind the match gate, applied, then
the test of record settled over everything stored."""

from __future__ import annotations

from dataclasses import dataclass

from hub.connector import Stage
from hub.pipeline.context import DistrictRun
from hub.pipeline.diagnostics import MatchGate, match_transform
from hub.pipeline.record import RecordSummary, settle_results
from hub.pipeline.sources import ApplySummary, apply_stage


@dataclass(frozen=True, slots=True)
class AssessmentLoad:
    summaries: list[ApplySummary]
    gate: MatchGate
    """every file's match report, and the files the gate refused"""
    record: RecordSummary

    @property
    def checks(self) -> dict[str, bool]:
        return {"match_rate": not self.gate.refused, "duplicate_tests": self.record.duplicates == 0}


def load_assessments(run: DistrictRun) -> AssessmentLoad:
    policy, gate = run.district.diagnostics, MatchGate()
    summaries = apply_stage(run, Stage.DIAGNOSTICS, match_transform(policy, gate))
    return AssessmentLoad(summaries, gate, settle_results(run, policy))
