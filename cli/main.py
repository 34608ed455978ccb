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

from cli.validate import ALIASES as VALIDATE_ALIASES
from cli.validate import KINDS as VALIDATE_KINDS
from hub.connector import ConnectorError
from hub.errors import HubError
from hub.plugins import installed
from hub.settings import HubConfig, HubSettings, load_hub_config

if TYPE_CHECKING:
    from cli.night import DistrictOutcome

log = logging.getLogger(__name__)

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
        except HubError as error:
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


EXIT_CODES = """Exit codes: 0 importable; 1 not importable (a fatal file error, or with --district a file the
match gate refuses); 2 a usage or hub.yaml error; 3 an unexpected error."""

# Errors that mean the export itself cannot be read: the verdict is "not importable" (exit 1).
FILE_ERRORS = (ConnectorError, UnicodeError, OSError, ValueError)


@main.command(epilog=EXIT_CODES)
@click.argument("kind", type=click.Choice([*VALIDATE_KINDS, *VALIDATE_ALIASES]), metavar="TYPE")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text, always.")
@click.option("--district", help="Also match students against this district's roster, as sync will.")
@config_option
@friendly_errors
def validate(kind: str, path: Path, as_json: bool, district: str | None, config: Path | None) -> None:
    """Read and check a vendor export without writing anything.

    TYPE is a connector type (oneroster_csv, iready, nwea_map, session_log) or its short name (oneroster,
    map, sessions). With --district the verdict is the one `sync` gives, match rate included.
    """
    from cli.validate import apply_match_gate, file_error, render_text
    from cli.validate import validate as run_validation

    def emit(summary: dict[str, Any]) -> None:
        click.echo(json.dumps(summary, indent=2, default=str) if as_json else render_text(summary))

    try:
        summary, batch = run_validation(installed(), kind, path)
    except FILE_ERRORS as error:
        log.debug("validate %s %s", kind, path, exc_info=True)
        emit(file_error(kind, path, error))
        sys.exit(1)
    except Exception as error:
        if not as_json or os.environ.get("TUTORHUB_DEBUG"):
            raise  # friendly_errors says how to report it
        log.debug("validate %s %s", kind, path, exc_info=True)
        emit(file_error(kind, path, RuntimeError(f"unexpected error: {type(error).__name__}: {error}")))
        sys.exit(3)
    if district and batch is not None and "assessment_result" in batch.tables:
        from cli.matching import match_rate_for

        try:
            apply_match_gate(summary, match_rate_for(load_hub_config(config), district, batch))
        except HubError as error:
            if not as_json:
                raise
            emit({**summary, "importable": False, "error": str(error)})
            sys.exit(2)
    emit(summary)
    sys.exit(0 if summary["importable"] else 1)


def _exit_with(
    outcomes: list[DistrictOutcome], command: str, details: dict[str, list[str]] | None = None
) -> None:
    """One summary per district run (with its ``details``, if any); exit 1 if any failed."""
    from cli.summary import render_outcome

    for outcome in outcomes:
        click.echo("\n".join(render_outcome(outcome, command, (details or {}).get(outcome.district_id, []))))
    sys.exit(0 if all(outcome.success for outcome in outcomes) else 1)


def _ready(config: Path | None, district_ids: tuple[str, ...], *, online: bool = False) -> HubConfig:
    """hub.yaml loaded and checked for the named districts; stops with every problem found (exit 2)."""
    from hub.preflight import PreflightError, check_hub

    hub = load_hub_config(config)
    problems = check_hub(hub, installed(), list(district_ids) or None, online=online)
    if problems:
        raise PreflightError(problems)
    return hub


@main.command()
@districts_option
@config_option
@click.option("--online", is_flag=True, help="Also ask each connector's servers whether they answer.")
@friendly_errors
def check(district_ids: tuple[str, ...], config: Path | None, online: bool) -> None:
    """Prove hub.yaml can run: connector types installed, settings valid, paths readable, secrets set.

    Exit 0 when every district is ready, 2 with one line per problem when not. Secrets are never printed.
    """
    hub = _ready(config, district_ids, online=online)
    for district_id in district_ids or hub.districts:
        district = hub.district(district_id)
        click.echo(f"{district.id}: ready ({len(district.connectors)} connectors)")


@main.command()
@districts_option
@config_option
@click.option("--allow-deletions", is_flag=True, help="Approve, for this run only, removals over the guard.")
@friendly_errors
def sync(district_ids: tuple[str, ...], config: Path | None, allow_deletions: bool) -> None:
    """Run districts' assets through Dagster in process (the same runs the UI shows)."""
    from cli.night import run_districts

    hub = _ready(config, district_ids)
    ids = list(district_ids) or list(hub.districts)
    outcomes = run_districts(hub, ids, allow_deletions=allow_deletions)
    details = {
        outcome.district_id: _tutoring_lines(hub, outcome.district_id)
        for outcome in outcomes
        if outcome.success
    }
    _exit_with(outcomes, "sync", details)


def _tutoring_lines(hub: HubConfig, district_id: str) -> list[str]:
    """What the night decided about tutoring and found of progress, from the district's warehouse."""
    from hub.pipeline.context import DistrictRun
    from hub.pipeline.progress import progress_summary
    from hub.pipeline.tutoring import tutoring_summary

    run = DistrictRun(hub, hub.district(district_id), installed())
    try:
        return tutoring_summary(run).lines() + progress_summary(run).lines()
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
        _exit_with(run_districts(hub, [hub.district(i).id for i in ids], selection=["report_pushes"]), "push")
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


write_option = click.option(
    "--write",
    "target",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Put it in its generated section of this file (the README) instead of printing it.",
)


def _print_or_write(name: str, content: str, target: Path | None) -> None:
    from hub.generated import replace_section

    if target is None:
        click.echo(content, nl=False)
        return
    try:
        updated = replace_section(target.read_text(encoding="utf-8"), name, content)
    except ValueError as error:
        raise click.ClickException(f"{target}: {error}") from None
    target.write_text(updated, encoding="utf-8")
    click.echo(f"wrote {name} into {target}")


@main.command("settings-reference")
@write_option
def settings_reference(target: Path | None) -> None:
    """Every hub.yaml key with its default and meaning, generated from the settings models (Markdown)."""
    from hub.reference import SECTION
    from hub.reference import settings_reference as reference

    _print_or_write(SECTION, reference(installed()), target)


@main.command()
@write_option
def lineage(target: Path | None) -> None:
    """The night's asset graph as Dagster defines it: each asset and the assets it reads."""
    from assets.lineage import SECTION, lineage_text

    _print_or_write(SECTION, lineage_text(), target)


@main.command("demo-data")
@click.option("--students", default=2000, show_default=True, type=click.IntRange(min=50))
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path, resolve_path=True),  # the season runs from a temporary folder
    required=True,
    help="Folder to write the exports into.",
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
@click.option(
    "--part-students",
    type=click.IntRange(min=1),
    help="The district's part_students (default: the setting's): small, to run the steps in many parts.",
)
@friendly_errors
def demo(students: int, seed: int, directory: Path, part_students: int | None) -> None:
    """A whole night on a synthetic district, on the embedded default, in a fresh data directory."""
    from cli.demo import run_demo

    if "TUTORHUB_LOG_LEVEL" not in os.environ:  # the demo narrates its own steps
        logging.getLogger().setLevel(logging.WARNING)

    sys.exit(run_demo(students, seed, directory, echo=click.echo, part_students=part_students))


@main.command()
@config_option
@click.option("--port", default=3000, show_default=True)
@friendly_errors
def ui(config: Path | None, port: int) -> None:
    """Open the Dagster UI (webserver and daemon) on this hub's instance. Ctrl-C stops both."""
    from cli.night import dagster_environment, ui_command

    hub = load_hub_config(config)
    env = {**os.environ, **dagster_environment(hub)}
    command = ui_command(hub, port)
    click.echo(f"Dagster UI on http://127.0.0.1:{port}; Ctrl-C here stops the webserver and the daemon")
    os.execve(command[0], command, env)
