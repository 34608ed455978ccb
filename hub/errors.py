"""One base for every error a person can act on, so that the edges (CLI, Dagster assets) catch it once.

Each stage raises its own subclass, defined beside the stage (dlt's habit: ``exceptions`` per package):

    ConfigError        hub.settings     hub.yaml or the environment (PreflightError: every problem at once)
    UnknownConnectorError  hub.plugins  a ``type:`` no installed plugin provides
    ConnectorError     hub.connector    a vendor export that cannot be trusted as a whole
    HttpError          hub.http         a request that failed for good, retries spent
    WarehouseError     hub.warehouse    a change it cannot take; DeletionGuardError: too many removals
    DiagnosticsError   hub.diagnostics  unusable diagnostics input; MatchGateError: too few students match
    TutoringError      hub.tutoring     tutoring inputs or settings that give no sound decision
    ReportError        hub.reports      report inputs that give no sound report
    PushError          hub.push         a push that cannot start (PushRefused); SummaryError: a bad summary

The message is the user interface: it names the place (file, line, column or key path) and what to fix.
The same facts are attributes, so that a tool can show them without parsing the sentence; they are None
where the error has no such place. Anything that is not a HubError reaching an edge is a bug in the hub
and is reported as one.
"""

from __future__ import annotations

__all__ = ["HubError"]


class HubError(Exception):
    """An error with a message written for the person who will fix its cause."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        """The file at fault (an export, hub.yaml), as the person knows it."""
        self.line = line
        """Its line, counted from 1, when one line is at fault."""
        self.column = column
        """The column (a vendor's header) at fault."""
        self.key = key
        """The key path in hub.yaml (``districts[0].connectors[1].settings.path``) at fault."""
