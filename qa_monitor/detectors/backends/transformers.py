"""TransformersDetector: a transformers sequence-classification model from a local directory, its classes
mapped to our labels by the `label_map` option."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from qa_monitor.detectors.backends.common import SequenceClassifierBackend, parse_label_map, require_torch
from qa_monitor.errors import ConfigError, ModelError


class TransformersDetector(SequenceClassifierBackend):
    """Options: `path` (model directory: config.json, weights, tokenizer; relative paths are under models/),
    `label_map` ({config.id2label name: rude|condescending|unclear}), `activation` ("softmax" | "sigmoid";
    default sigmoid for multi-label configs, else softmax), `batch_size` (16), `max_length` (256),
    `threads` (2), `min_score` (0.0)."""

    name: ClassVar[str] = "transformers"

    def __init__(self, options: dict[str, Any], models_dir: Path) -> None:
        if "path" not in options:
            raise ConfigError("detector 'transformers': option path (the model directory) is required")
        if options.get("activation") not in (None, "softmax", "sigmoid"):
            raise ConfigError("detector 'transformers': option activation must be softmax or sigmoid")
        super().__init__(options, models_dir, activation=options.get("activation"))
        self.path = self.path_option(options["path"])

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
        self.loaded_from([self.path])
