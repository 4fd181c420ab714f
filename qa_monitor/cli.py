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


# --- demo --------------------------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
