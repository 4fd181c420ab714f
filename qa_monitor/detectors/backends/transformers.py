"""TransformersDetector: a transformers sequence-classification model from a local directory, its classes
mapped to our labels by the `label_map` option."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from qa_monitor.detectors.backends.common import findings_from_probs, parse_label_map, require_torch, sentences_of
from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis
from qa_monitor.records import LABELS, Finding, Label


class TransformersDetector:
    """Options: `path` (model directory: config.json, weights, tokenizer; relative paths are under models/),
    `label_map` ({config.id2label name: rude|condescending|unclear}), `activation` ("softmax" | "sigmoid";
    default sigmoid for multi-label configs, else softmax), `batch_size` (16), `max_length` (256),
    `threads` (2), `min_score` (0.0)."""

    name: ClassVar[str] = "transformers"
    version: ClassVar[str] = "1.0"
    labels: ClassVar[frozenset[str]] = frozenset(LABELS)

    def __init__(self, options: dict[str, Any], models_dir: Path) -> None:
        if "path" not in options:
            raise ConfigError("detector 'transformers': option path (the model directory) is required")
        path = Path(str(options["path"]))
        self.path = path if path.is_absolute() else models_dir / path
        self.raw_label_map = options.get("label_map")
        self.activation = options.get("activation")
        if self.activation not in (None, "softmax", "sigmoid"):
            raise ConfigError("detector 'transformers': option activation must be softmax or sigmoid")
        self.batch_size = int(options.get("batch_size", 16))
        self.max_length = int(options.get("max_length", 256))
        self.threads = int(options.get("threads", 2))
        self.min_score = float(options.get("min_score", 0.0))
        self._model: Any = None
        self._tokenizer: Any = None
        self._label_map: dict[int, Label] = {}
        self._version = self.version

    def load(self) -> None:
        """Load the model, its tokenizer and the label mapping."""
        torch = require_torch(self.name)
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        if not (self.path / "config.json").is_file():
            raise ModelError(f"detector 'transformers': no config.json in {self.path}")
        torch.set_num_threads(self.threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self._model = AutoModelForSequenceClassification.from_pretrained(str(self.path),
                                                                             local_files_only=True).eval()
        except (OSError, ValueError) as e:
            raise ModelError(f"detector 'transformers': cannot load {self.path}: {e}") from None
        cfg = self._model.config
        classes = [str(cfg.id2label[i]) for i in range(cfg.num_labels)]
        self._label_map = parse_label_map(self.name, self.raw_label_map, classes)
        if self.activation is None:
            self.activation = "sigmoid" if cfg.problem_type == "multi_label_classification" else "softmax"
        self._version = f"{self.version}/{self.path.name}"

    def class_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, the probability of each model class (rows in input order)."""
        import torch

        out = np.zeros((len(texts), self._model.config.num_labels), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                idx = order[b:b + self.batch_size]
                enc = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                      max_length=self.max_length, return_tensors="pt")
                logits = self._model(**enc).logits
                p = torch.sigmoid(logits) if self.activation == "sigmoid" else torch.softmax(logits, dim=-1)
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
