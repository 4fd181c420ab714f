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

users_app = typer.Typer(help="API users and tokens (tokens are shown once and stored hashed).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.command("serve")
@friendly
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
          pipeline: Annotated[Path | None, typer.Option(help="pipeline file (detectors, thresholds, write-back)")]
          = None) -> None:
    """Serve the API (review queue, trends, calibration, webhooks) with uvicorn."""
    import uvicorn

    from qa_monitor.service.app import create_app

    settings = get_settings()
    if pipeline is not None:
        load_pipeline(pipeline)  # fail here, with the file and key, rather than inside the server
        settings = settings.model_copy(update={"pipeline_file": pipeline})
    open_store(settings).close()
    console.print(f"serving on http://{host}:{port}", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level.lower())


@users_app.command("create")
@friendly
def users_create(name: Annotated[str, typer.Argument(help="user name (unique)")],
                 role: Annotated[str, typer.Option(help="admin | manager | webhook")],
                 team: Annotated[list[str] | None, typer.Option(help="team id a manager may read (repeat)")] = None,
                 ) -> None:
    """Create a user with a role and print its first token (shown once)."""
    from qa_monitor.service.auth import create_user

    store = open_store()
    uid, token = create_user(store, name, role, team or [])
    err_console.print(f"user {name} (id {uid}, {role}) created; the token is shown once:")
    print(token)


@users_app.command("token")
@friendly
def users_token(name: Annotated[str, typer.Argument(help="an existing user")]) -> None:
    """Issue one more token for a user (shown once)."""
    from qa_monitor.service.auth import create_token

    token = create_token(open_store(), name)
    err_console.print(f"new token for {name}; shown once:")
    print(token)


@users_app.command("revoke")
@friendly
def users_revoke(name: Annotated[str | None, typer.Argument(help="revoke every token of this user")] = None,
                 token: Annotated[str | None, typer.Option("--token", help="revoke the token with this prefix "
                                                                           "(first 12 characters, see `users list`)")]
                 = None) -> None:
    """Revoke a user's tokens (and disable the user), or one token by its prefix."""
    from qa_monitor.service.auth import revoke

    n = revoke(open_store(), user_name=name, token_prefix=token)
    console.print(f"revoked {n} token(s)")


@users_app.command("list")
@friendly
def users_list() -> None:
    """List users with role, teams and active token prefixes (never the tokens)."""
    from rich.table import Table

    from qa_monitor.service.auth import list_users

    table = Table("id", "name", "role", "teams", "active tokens", "state")
    for u in list_users(open_store()):
        table.add_row(str(u.id), u.name, u.role, ", ".join(u.teams) or ("all" if u.role == "admin" else "-"),
                      ", ".join(u.token_prefixes) or "-", "disabled" if u.disabled else "active")
    console.print(table)


@app.command("calibrate")
@friendly
def calibrate_cmd(min_reviews: Annotated[int, typer.Option(min=1, help="reviews needed per label and language")]
                  = 30,
                  dry_run: Annotated[bool, typer.Option("--dry-run", help="report only; save no thresholds")] = False,
                  fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table") -> None:
    """Set per-label, per-language thresholds from reviewed flags; report Cohen's kappa and precision."""
    import json

    from rich.table import Table

    from qa_monitor.service.calibration import calibrate

    if fmt not in ("table", "json"):
        raise QAMonitorError(f"--format must be table or json, not '{fmt}'")
    result = calibrate(open_store(), min_reviews=min_reviews, apply=not dry_run)
    if fmt == "json":
        print(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    if not result.rows:
        console.print("no reviewed flags yet: review flags in the queue first")
        return
    table = Table("label", "lang", "reviews", "confirmed", "precision", "kappa", "threshold", "new", "kappa new",
                  "status")

    def num(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    for r in result.rows:
        table.add_row(r.label, r.language, str(r.reviews), str(r.confirmed), num(r.precision), num(r.kappa),
                      num(r.threshold_before), num(r.threshold_after), num(r.kappa_after), r.status)
    console.print(table)
    for r in result.rows:
        if r.status == "not_enough_reviews":
            console.print(f"{r.label}/{r.language}: {r.message}", highlight=False)
    console.print(f"saved thresholds version {result.version}" if result.version else
                  "no thresholds saved" + (" (dry run)" if dry_run else ""), highlight=False)



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
