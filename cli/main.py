"""``tutorhub``: validate exports, sync districts, make and run the demo, open the Dagster UI."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hub.connector import ConnectorError
from hub.plugins import UnknownConnectorError, installed
from hub.settings import ConfigError, HubConfig, HubSettings, load_hub_config
from hub.warehouse import DeletionGuardError, WarehouseError

if TYPE_CHECKING:
    from cli.night import DistrictOutcome

EXPECTED = (ConfigError, ConnectorError, UnknownConnectorError, DeletionGuardError, WarehouseError)

config_option = click.option(
    "--config", type=click.Path(path_type=Path), help="hub.yaml (default: TUTORHUB_CONFIG or ./hub.yaml)"
)
districts_option = click.option(
    "--district", "district_ids", multiple=True, help="District id (repeatable); default: all."
)


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Errors people can act on become one clear message and exit 2; anything else says how to report it."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EXPECTED as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except Exception as error:
            if os.environ.get("TUTORHUB_DEBUG"):
                raise
            click.echo(f"unexpected error: {type(error).__name__}: {error}", err=True)
            click.echo("(set TUTORHUB_DEBUG=1 to see the traceback when reporting it)", err=True)
            sys.exit(3)

    return wrapper


@click.group()
@click.version_option(package_name="tutorhub")
def main() -> None:
    """tutorhub: rosters and diagnostics in, tutoring decisions and alignment reports out."""
    level = HubSettings().log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl SQLiteImpl" on every open


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a table.")
def plugins(as_json: bool) -> None:
    """List installed connectors and any plugin that failed to load."""
    registry = installed()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "connectors": [
                        {"name": i.name, "kind": i.kind, "version": i.version, "package": i.package}
                        for i in sorted(registry.connectors.values(), key=lambda i: i.name)
                    ],
                    "failures": [
                        {"plugin": f.plugin, "package": f.package, "reason": f.reason}
                        for f in registry.failures
                    ],
                },
                indent=2,
            )
        )
        return
    click.echo(f"{'name':<22}{'kind':<13}{'version':<10}package")
    for info in sorted(registry.connectors.values(), key=lambda i: i.name):
        click.echo(f"{info.name:<22}{info.kind:<13}{info.version:<10}{info.package}")
    for failure in registry.failures:
        click.echo(f"FAILED  {failure.plugin} ({failure.package}): {failure.reason}")


@main.command()
@click.argument("kind", type=click.Choice(["oneroster", "iready", "map", "sessions"]))
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@click.option("--district", help="Also match students against this district's roster (diagnostics).")
@config_option
@friendly_errors
def validate(kind: str, path: Path, as_json: bool, district: str | None, config: Path | None) -> None:
    """Read and check a vendor export without writing anything. Exit 1 when it cannot be imported."""
    from cli.validate import render_text
    from cli.validate import validate as run_validation

    summary, batch = run_validation(installed(), kind, path)
    if district and batch is not None and "assessment_result" in batch.tables:
        from cli.matching import match_rate_for

        summary["match_rate"] = match_rate_for(load_hub_config(config), district, batch)
    click.echo(json.dumps(summary, indent=2, default=str) if as_json else render_text(summary))
    sys.exit(0 if summary["importable"] else 1)


def _exit_with(outcomes: list[DistrictOutcome], details: dict[str, list[str]] | None = None) -> None:
    """One line per district run, its failures and failed checks (or ``details``) under it; exit 1 if
    any failed."""
    for outcome in outcomes:
        state = "ok" if outcome.success else "FAILED"
        click.echo(f"{outcome.district_id}: {state} (Dagster run {outcome.run_id})")
        for message in outcome.failures:
            click.echo(f"  {message}")
        for check in outcome.checks_failed:
            click.echo(f"  check failed: {check}")
        for line in (details or {}).get(outcome.district_id, []):
            click.echo(f"  {line}")
    sys.exit(0 if all(outcome.success for outcome in outcomes) else 1)


@main.command()
@districts_option
@config_option
@click.option("--allow-deletions", is_flag=True, help="Approve, for this run only, removals over the guard.")
@friendly_errors
def sync(district_ids: tuple[str, ...], config: Path | None, allow_deletions: bool) -> None:
    """Run districts' assets through Dagster in process (the same runs the UI shows)."""
    from cli.night import run_districts

    hub = load_hub_config(config)
    ids = list(district_ids) or list(hub.districts)
    for district_id in ids:
        hub.district(district_id)
    outcomes = run_districts(hub, ids, allow_deletions=allow_deletions)
    details = {
        outcome.district_id: _tutoring_lines(hub, outcome.district_id)
        for outcome in outcomes
        if outcome.success
    }
    _exit_with(outcomes, details)


def _tutoring_lines(hub: HubConfig, district_id: str) -> list[str]:
    """What the night decided about tutoring, from the district's warehouse (``tutoring_summary``)."""
    from hub.pipeline.context import DistrictRun
    from hub.pipeline.tutoring import tutoring_summary

    run = DistrictRun(hub, hub.district(district_id), installed())
    try:
        return tutoring_summary(run).lines()
    finally:
        run.close()


@main.command()
@districts_option
@config_option
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing, record nothing.")
@friendly_errors
def push(district_ids: tuple[str, ...], config: Path | None, dry_run: bool) -> None:
    """Push the rendered reports to each district's own destinations (gated by the night's checks)."""
    from cli.night import run_districts
    from hub.pipeline.context import DistrictRun
    from hub.pipeline.delivery import push_district

    hub = load_hub_config(config)
    ids = list(district_ids) or list(hub.districts)
    if not dry_run:
        _exit_with(run_districts(hub, [hub.district(i).id for i in ids], selection=["report_pushes"]))
    for district_id in ids:
        run = DistrictRun(hub, hub.district(district_id), installed())
        try:
            plans = push_district(run, dry_run=True)
        finally:
            run.close()
        for destination, records in plans.items():
            actions = {a: sum(1 for r in records if r.action == a) for a in ("create", "update", "unchanged")}
            click.echo(
                f"{district_id} -> {destination}: " + ", ".join(f"{n} {a}" for a, n in actions.items())
            )
            for record in records:
                if record.action != "unchanged":
                    click.echo(
                        f"  {record.action:<8} {record.kind:<9} {record.content_type:<17} "
                        f"{record.bytes:>8} bytes  {record.content_hash[:12]}"
                    )


@main.command("demo-data")
@click.option("--students", default=2000, show_default=True, type=click.IntRange(min=50))
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="Folder to write the exports into."
)
@friendly_errors
def demo_data(students: int, seed: int, out: Path) -> None:
    """Write a synthetic district in the vendors' exact layouts (deterministic by seed)."""
    from cli.demo import write_demo_data

    for path in write_demo_data(students, seed, out, echo=click.echo):
        click.echo(f"  wrote {path}")


@main.command()
@click.option("--students", default=2000, show_default=True, type=click.IntRange(min=50))
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--dir", "directory", type=click.Path(path_type=Path), default=Path("tutorhub-demo"), show_default=True
)
@friendly_errors
def demo(students: int, seed: int, directory: Path) -> None:
    """A whole night on a synthetic district, on the embedded default, in a fresh data directory."""
    from cli.demo import run_demo

    if "TUTORHUB_LOG_LEVEL" not in os.environ:  # the demo narrates its own steps
        logging.getLogger().setLevel(logging.WARNING)

    sys.exit(run_demo(students, seed, directory, echo=click.echo))


@main.command()
@config_option
@click.option("--port", default=3000, show_default=True)
@friendly_errors
def ui(config: Path | None, port: int) -> None:
    """Open the Dagster UI (webserver and daemon) on this hub's instance."""
    from cli.night import dagster_environment

    hub = load_hub_config(config)
    env = {**os.environ, **dagster_environment(hub)}
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "dev", "-m", "assets.definitions", "-p", str(port)]
    click.echo(f"Dagster UI on http://127.0.0.1:{port} (Ctrl-C to stop)")
    os.execve(command[0], command, env)
