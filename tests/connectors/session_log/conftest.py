"""Session logs written in the documented format, as CSV or JSON Lines, from one description."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from connectors.session_log.format import COLUMNS, SESSION_COLUMNS, STUDENT_COLUMNS

Session = dict  # session fields plus "students": [student fields]


def session(session_id: str = "s-1", students: list[dict] | None = None, **fields: object) -> Session:
    """A held 30-minute session of tutor t-1 and group g-1 on Monday 2025-10-06 (override any field)."""
    base: dict[str, object] = {
        "session_id": session_id,
        "session_date": "2025-10-06",
        "start_time": "13:15",
        "minutes": 30,
        "tutor_id": "t-1",
        "group_id": "g-1",
        "skills_covered": "phonics",
        "notes": "Blends with short vowels.",
        "next_steps": "Digraphs next.",
    }
    base.update(fields)
    base["students"] = students or [
        {"student_id": "p-1", "attendance": "present", "mastery_check": "3/4"},
        {"student_id": "p-2", "attendance": "absent"},
    ]
    return base


def csv_text(sessions: list[Session], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for item in sessions:
        for student in item["students"]:
            row = {**{k: v for k, v in item.items() if k != "students"}, **student}
            writer.writerow(["" if row.get(name) is None else row.get(name) for name in columns])
    return out.getvalue()


def jsonl_text(sessions: list[Session]) -> str:
    lines = []
    for item in sessions:
        body = {k: v for k, v in item.items() if k in SESSION_COLUMNS and v is not None}
        body["students"] = [{k: v for k, v in s.items() if k in STUDENT_COLUMNS} for s in item["students"]]
        lines.append(json.dumps(body))
    return "\n".join(lines) + "\n"


class Logs:
    """Builds sessions and writes them into a folder: ``logs.write("a.csv", [logs.session()])``."""

    session = staticmethod(session)
    csv_text = staticmethod(csv_text)
    jsonl_text = staticmethod(jsonl_text)

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, name: str, content: list[Session] | str) -> Path:
        """A ``.jsonl`` name writes JSON Lines, anything else CSV; text is written as given."""
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(content, str):
            content = jsonl_text(content) if name.endswith(".jsonl") else csv_text(content)
        path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def logs(tmp_path: Path) -> Logs:
    return Logs(tmp_path / "logs")
