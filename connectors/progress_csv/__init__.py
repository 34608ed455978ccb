"""Progress-monitoring scores from a district's own CSV: curriculum-based measures between diagnostics.

Many districts already probe tutored students every week or two with a curriculum-based measure (oral
reading fluency in words correct per minute, a maze score, a math computation probe) and keep the scores
in a spreadsheet. This connector reads that spreadsheet saved as CSV, so the hub can plot the scores
against each student's goal and aimline beside the tutors' own mastery checks.

Files
-----
``path`` in hub.yaml names one file, or a folder or zip of ``*.csv`` files, read in name order (a later
file's score for the same student, day and measure replaces an earlier one: a correction).

Columns (header names, any order, case ignored)
-----------------------------------------------
============  ========  ==========================================================================
column        required  meaning
============  ========  ==========================================================================
student_id    yes       the student's roster sourcedId (as in the session logs)
date          yes       the day the probe was given, ``YYYY-MM-DD``
measure       yes       what was measured, a short name the district keeps the same all year
                        (``orf_wcpm``, ``maze``); letters, digits, ``_`` and ``-``, at most 64
score         yes       the score, a number from 0 to 100,000
goal                    the goal the district set for this student on this measure for the
                        current cycle (the latest given is used), if any
subject                 ``ela`` or ``math``
domain                  the canonical skill domain the measure probes (``phonics``, ``Geometry``, ...)
============  ========  ==========================================================================

A measure without a subject is plotted for no placement: give ``subject`` (and ``domain`` where the
measure probes one skill) so the hub knows which placement the scores belong to. Scores of different
measures are never compared with one another, nor with the diagnostics.

Checks
------
Rejects (the row is not loaded; file, line, column and reason are reported): a blank required field
(``missing_required``), a bad date (``bad_date``), a date before July 2010 or more than a month ahead
(``implausible_date``), a measure name outside the pattern or ``mastery_check`` (the hub's own name for the
session logs' checks; ``bad_measure``), a score or goal that is not a number from 0 to 100,000
(``bad_score``, ``bad_goal``), a subject other than ela or math (``bad_subject``), a domain that is not a
canonical skill domain (``unknown_domain``) or not one of the subject's (``domain_subject``), the same
student, date and measure twice in one file (``duplicate_score``: the first row is kept), a row with the
wrong number of fields (``column_count``), an open quote (``open_quote``) or a cell past 64 KiB
(``cell_too_long``). A column outside the format is a warning (``unknown_column``); a file with no rows a
``header_only`` warning. A file missing a required column, or in no encoding the hub reads, is fatal for
that file.

Normalized onto ``progress_point`` (``source`` = ``progress_csv``; ``source_id`` = ``csv:`` + student +
``:`` + date + ``:`` + measure), upserted (``SyncMode.DELTA``): a file holding this month's probes does
not remove last month's.
"""

from __future__ import annotations

from connectors.progress_csv.source import ProgressCsvConfig, ProgressCsvSource
from hub.plugins import hookimpl

__all__ = ["ProgressCsvConfig", "ProgressCsvSource"]


@hookimpl
def tutorhub_connectors() -> list[type[ProgressCsvSource]]:
    return [ProgressCsvSource]
