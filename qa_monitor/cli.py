"""`qa-monitor ...`: the command line. Each command prints one clear line and exits non-zero on error."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from qa_monitor.config import Settings, load_pipeline
from qa_monitor.errors import QAMonitorError

app = typer.Typer(help="qa-monitor: flags rude, condescending and unclear language in help-desk conversations.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn project errors into one red line on stderr and a non-zero exit, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except QAMonitorError as e:
            err_console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            raise typer.Exit(e.exit_code) from None
        except (OSError, ValueError) as e:
            err_console.print(f"[red]error:[/red] {e.__class__.__name__}: {e}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()


def open_store(settings: Settings | None = None, migrate: bool = True) -> Any:
    """A Store for the configured database, migrated to the latest schema."""
    from qa_monitor.storage.store import Store

    store = Store((settings or get_settings()).database_url)
    if migrate:
        store.migrate()
    return store


PipelineArg = Annotated[Path, typer.Argument(help="pipeline file (TOML), e.g. pipelines/demo.toml")]


@app.callback()
def _root(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log debug details (ids only)")] = False,
          ) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")


@app.command("init-db")
@friendly
def init_db(pipeline: Annotated[Path | None, typer.Option(help="also load teams and agents from this pipeline")]
            = None) -> None:
    """Create or upgrade the database schema (and load teams/agents from a pipeline file)."""
    from qa_monitor.storage.db import redact_url

    settings = get_settings()
    store = open_store(settings)
    if pipeline:
        store.sync_directory(load_pipeline(pipeline))
    console.print(f"database ready: {redact_url(settings.database_url)}")


# --- ingestion: ingest, quarantine -------------------------------------------------------------------


# --- scoring: score ----------------------------------------------------------------------------------


# --- models: train, eval -----------------------------------------------------------------------------


# --- service: serve, users, calibrate ----------------------------------------------------------------


# --- reports: report, schedule -----------------------------------------------------------------------

report_app = typer.Typer(help="Quality reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("weekly")
@friendly
def report_weekly(
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: the last complete week)")]
    = None,
    team: Annotated[list[str] | None, typer.Option(help="team id (repeat for several; default: every team)")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, json, html or pdf")] = "html",
    out: Annotated[Path | None, typer.Option(help="output file (default: stdout; PDF: qa-report-WEEK.pdf)")]
    = None,
) -> None:
    """Build the weekly quality report (volume, flag rates, coaching, phrases, reviews, workload)."""
    from datetime import UTC, datetime

    from qa_monitor.reports.period import Week
    from qa_monitor.reports.render import FORMATS, render
    from qa_monitor.reports.schedule import last_complete_week
    from qa_monitor.reports.weekly import build_weekly

    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    the_week = Week.parse(week) if week else last_complete_week(datetime.now(UTC))
    store = open_store()
    try:
        data = render(build_weekly(store, the_week, team or None), fmt)
    finally:
        store.close()
    if out is None and fmt == "pdf":
        out = Path(f"qa-report-{the_week.label}.pdf")
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    err_console.print(f"weekly report {the_week.label} ({fmt}) written to {out}")


@app.command("schedule")
@friendly
def schedule(
    pipeline: PipelineArg,
    once: Annotated[bool, typer.Option("--once", help="send the last complete week's report now and exit")] = False,
) -> None:
    """Send the weekly report by e-mail on the pipeline file's [schedule] (cron, time zone, recipients)."""
    from qa_monitor.reports.schedule import run_forever, run_once, schedule_of, trigger

    spec = load_pipeline(pipeline)
    trigger(schedule_of(spec), spec)  # a bad cron expression or time zone fails before anything runs
    settings = get_settings()
    store = open_store(settings)
    try:
        if once:
            result = run_once(store, settings, spec)
            if result.status != "sent":
                err_console.print(f"[red]error:[/red] report {result.week} not sent after {result.attempts} "
                                  f"attempts ({result.error}); delivery {result.delivery_id} recorded as failed")
                raise typer.Exit(1)
            console.print(f"report {result.week} sent (delivery {result.delivery_id}, "
                          f"{result.attempts} attempt(s))")
            return
        sched = schedule_of(spec)
        console.print(f"sending the weekly report on '{sched.cron}' ({sched.timezone}); Ctrl-C to stop")
        run_forever(store, settings, spec)
    finally:
        store.close()



# --- demo --------------------------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
