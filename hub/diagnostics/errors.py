"""The diagnostics stage's own exceptions, caught once at the edge (CLI, Dagster asset) and shown as is."""

from __future__ import annotations

from hub.errors import HubError


class DiagnosticsError(HubError):
    """Input the diagnostics logic cannot work with; the message says which table and what is missing."""


class MatchGateError(DiagnosticsError):
    """Too few of a file's results match the roster to trust loading it tonight.

    Raised before anything is written, so a wrong id column or a roster that is behind never turns into
    a district of "unmatched" students. The message carries vendor ids (never names) for the fix.
    """
