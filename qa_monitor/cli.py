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
quarantine_app = typer.Typer(help="Show and retry raw payloads that could not be parsed.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@app.command("ingest")
@friendly
def ingest_cmd(pipeline: PipelineArg,
               source: Annotated[str | None, typer.Option(help="ingest only this source (its name)")] = None,
               ) -> None:
    """Read the pipeline's sources into the database, resuming where the last run stopped."""
    from rich import box
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from qa_monitor.ingest import SourceReport, ingest_pipeline

    spec = load_pipeline(pipeline)
    store = open_store()
    tasks: dict[str, TaskID] = {}
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
               TextColumn("{task.fields[messages]} messages, {task.fields[quarantined]} quarantined"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:

        def progress(report: SourceReport, done: int, total: int) -> None:
            if report.source not in tasks:
                tasks[report.source] = bar.add_task(report.source, total=total or None, messages=0, quarantined=0)
            bar.update(tasks[report.source], completed=done, total=total or None, messages=report.messages,
                       quarantined=report.quarantined)

        reports = ingest_pipeline(store, spec, source=source, progress=progress)
    table = Table(title=f"ingested: {spec.name}", box=box.SIMPLE)
    cols = ["source", "adapter", "interactions", "messages", "raw", "quarantined", "skipped"]
    cols += ["redacted"] if spec.redaction.enabled else []
    for col in cols:
        table.add_column(col, justify="left" if col in ("source", "adapter") else "right", no_wrap=True)
    for r in reports:
        cells = [r.source, r.adapter, str(r.interactions), str(r.messages), str(r.payloads),
                 f"[red]{r.quarantined}[/red]" if r.quarantined else "0", str(r.skipped), str(r.redacted)]
        table.add_row(*cells[:len(cols)])
    console.print(table)
    failed = [r for r in reports if r.error]
    for r in failed:
        err_console.print(f"[red]error:[/red] {r.error}", highlight=False, soft_wrap=True)
    if any(r.quarantined for r in reports):
        console.print("see them with: qa-monitor quarantine list")
    store.close()
    if failed:
        raise typer.Exit(1)


@quarantine_app.command("list")
@friendly
def quarantine_list(source: Annotated[str | None, typer.Option(help="only this source")] = None) -> None:
    """List quarantined raw payloads with their reasons."""
    store = open_store()
    rows = store.quarantined(source)
    # one payload per line (ids stay whole for copying into 'quarantine retry'), its reason indented below
    for r in rows:
        console.print(f"[bold]{r.id}[/bold]  {r.source}  {r.kind}  {r.ref}  {r.size} bytes  "
                      f"{r.attempts} attempt(s)", highlight=False, soft_wrap=True)
        console.print(f"    {r.reason or ''}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"{len(rows)} quarantined payload(s)")
    store.close()


@quarantine_app.command("retry")
@friendly
def quarantine_retry(
    ids: Annotated[list[str] | None, typer.Argument(help="payload ids (from 'quarantine list')")] = None,
    all_: Annotated[bool, typer.Option("--all", help="retry every quarantined payload")] = False,
    pipeline: Annotated[Path, typer.Option(help="pipeline file whose sources and settings parse them")] = ...,  # type: ignore[assignment]
) -> None:
    """Parse quarantined payloads again with the current parsers and pipeline settings."""
    from qa_monitor.errors import ConfigError
    from qa_monitor.ingest import retry_quarantined

    if not ids and not all_:
        raise ConfigError("give payload ids or --all")
    if ids and all_:
        raise ConfigError("give payload ids or --all, not both")
    spec = load_pipeline(pipeline)
    store = open_store()
    report = retry_quarantined(store, spec, None if all_ else ids)
    for pid, status, reason in report.results:
        colour = "green" if status == "parsed" else "red" if status == "quarantined" else "yellow"
        console.print(f"[{colour}]{status}[/{colour}] {pid}" + (f": {reason}" if reason else ""), highlight=False,
                      soft_wrap=True)
    console.print(f"retried {report.attempted}: {report.parsed} parsed ({report.messages} messages), "
                  f"{report.still_quarantined} still quarantined")
    store.close()
    if any(status == "not-found" for _, status, _ in report.results):
        raise typer.Exit(1)


# --- scoring: score ----------------------------------------------------------------------------------


# --- models: train, eval -----------------------------------------------------------------------------


# --- service: serve, users, calibrate ----------------------------------------------------------------


# --- reports: report, schedule -----------------------------------------------------------------------


# --- demo --------------------------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
