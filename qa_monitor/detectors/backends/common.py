"""Shared by the torch backends: sentence-level classification, label mapping and findings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from qa_monitor.detectors.base import Detector
from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence
from qa_monitor.records import LABELS, Finding, Label


def require_torch(detector: str) -> Any:
    """Import torch and transformers, or fail with the install hint."""
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as e:
        raise ModelError(f"detector '{detector}' needs torch and transformers (the `train` extra): {e}") from None
    return torch


def files_digest(paths: Iterable[Path]) -> str:
    """sha256 over the names and contents of files (directories: every file in them, sorted), streamed."""
    h = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            h.update(f.name.encode() + b"\0")
            with f.open("rb") as fh:
                h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()


def parse_label_map(detector: str, raw: Any, classes: Sequence[str]) -> dict[int, Label]:
    """Class index -> our label, from an option mapping model class names to rude/condescending/unclear."""
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"detector '{detector}': option label_map must map model classes to "
                          f"{', '.join(LABELS)}")
    out: dict[int, Label] = {}
    for cls_name, ours in raw.items():
        label = next((lb for lb in LABELS if lb == ours), None)
        if label is None:
            raise ConfigError(f"detector '{detector}': label_map.{cls_name} must be one of {', '.join(LABELS)}, "
                              f"got {ours!r}")
        if cls_name not in classes:
            raise ConfigError(f"detector '{detector}': label_map names class {cls_name!r}, but the model's classes "
                              f"are {', '.join(classes)}")
        out[list(classes).index(cls_name)] = label
    return out


def sentences_of(a: Analysis) -> tuple[Sentence, ...]:
    """Non-empty sentences, or the whole text as one."""
    sents = tuple(s for s in a.sentences if s.text.strip())
    return sents or (Sentence(0, len(a.text), a.text),)


def findings_from_probs(detector: str, version: str, batch: Sequence[Analysis],
                        sentences: Sequence[Sequence[Sentence]], probs: np.ndarray, label_map: Mapping[int, Label],
                        min_score: float) -> list[list[Finding]]:
    """Per message and mapped label: the sentence with the highest class probability as one finding."""
    out: list[list[Finding]] = []
    k = 0
    for a, sents in zip(batch, sentences, strict=True):
        p = probs[k:k + len(sents)]
        k += len(sents)
        best: dict[Label, tuple[float, int, int]] = {}
        for ci, label in label_map.items():
            j = int(np.argmax(p[:, ci]))
            score = float(p[j, ci])
            if label not in best or score > best[label][0]:
                best[label] = (score, j, ci)
        found = []
        for label, (score, j, _ci) in best.items():
            if score < min_score:
                continue
            s = sents[j]
            found.append(Finding(message_id=a.message_id, label=label, score=round(score, 4), start=s.start,
                                 end=s.end, detector=detector, detector_version=version,
                                 explanation=f"The {detector} model rates this sentence {label} "
                                             f"(score {score:.2f})",
                                 rule=f"{detector}:{label}", evidence=s.text))
        out.append(found)
    return out


class SequenceClassifierBackend(Detector):
    """A torch sequence classifier scoring each sentence: the options, batched inference and findings shared by
    the transformers and Detoxify backends; subclasses load `_model`, `_tokenizer` and `_label_map`."""

    name: ClassVar[str]
    version: ClassVar[str] = "1.0"
    labels: ClassVar[frozenset[str]] = frozenset(LABELS)

    def __init__(self, options: dict[str, Any], models_dir: Path, default_label_map: Any = None,
                 activation: str | None = None) -> None:
        super().__init__(options, models_dir)
        self.raw_label_map = options.get("label_map", default_label_map)
        self.activation = activation
        self.batch_size = int(options.get("batch_size", 16))
        self.max_length = int(options.get("max_length", 256))
        self.threads = int(options.get("threads", 2))
        self.min_score = float(options.get("min_score", 0.0))
        self._model: Any = None
        self._tokenizer: Any = None
        self._label_map: dict[int, Label] = {}
        self._version = self.version
        self._artifacts = ""

    def path_option(self, value: Any) -> Path:
        """A path option; relative paths are under models/."""
        p = Path(str(value))
        return p if p.is_absolute() else self.models_dir / p

    @property
    def artifacts(self) -> str:
        """What was loaded (empty before load): the files' digest, the label mapping and the activation, so that
        another checkpoint or mapping gives another model version and stored scores are not reused across them."""
        return self._artifacts

    def loaded_from(self, paths: Iterable[Path]) -> None:
        """Record the files the model and tokenizer were read from; called by `load` once they are loaded."""
        mapping = ",".join(f"{i}:{label}" for i, label in sorted(self._label_map.items()))
        self._artifacts = f"{self._version}@{files_digest(paths)[:16]}[{mapping}]{self.activation}"

    def class_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, the probability of each model class (rows in input order), in length-sorted batches."""
        import torch

        out = np.zeros((len(texts), self._model.config.num_labels), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                idx = order[b:b + self.batch_size]
                enc = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                      max_length=self.max_length, return_tensors="pt")
                logits = self._model(**enc).logits
                p = torch.softmax(logits, dim=-1) if self.activation == "softmax" else torch.sigmoid(logits)
                out[idx] = p.numpy()
        return out

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """Per message and mapped label, the highest-scoring sentence."""
        if self._model is None:
            self.load()
        sentences = [sentences_of(a) for a in batch]
        probs = self.class_probabilities([s.text for ss in sentences for s in ss])
        return findings_from_probs(self.name, self._version, batch, sentences, probs, self._label_map,
                                   self.min_score)
