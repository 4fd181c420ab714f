"""DetoxifyDetector: a Detoxify checkpoint from a local file (no download), its classes mapped to our labels.

Detoxify's checkpoint is a torch pickle of `{"config": {"arch": {"args": {"model_type", "model_name",
"tokenizer_name", "num_classes"}}, "dataset": {"args": {"classes": [...]}}}, "state_dict": {...}}`; the
transformers config and tokenizer of `model_type` must be in a local directory (`config_dir`), since the hub is
out of reach. Classes are renamed as Detoxify does (toxic -> toxicity, ...) and scored with a sigmoid each.

The `detoxify` package itself is not used: given a local checkpoint and config folder it still fetches the config of
the checkpoint's model_type from the hub first (so it cannot load offline), and it unpickles the checkpoint with
`weights_only=False`, which runs any code the file carries; `torch.load(weights_only=True)` here does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from qa_monitor.detectors.backends.common import SequenceClassifierBackend, parse_label_map, require_torch
from qa_monitor.errors import ConfigError, ModelError

# Detoxify standardises class names across its models this way.
RENAME = {"toxic": "toxicity", "identity_hate": "identity_attack", "severe_toxic": "severe_toxicity"}
DEFAULT_LABEL_MAP = {"toxicity": "rude", "insult": "rude"}


class DetoxifyDetector(SequenceClassifierBackend):
    """Options: `checkpoint` (the .ckpt file), `config_dir` (transformers config + tokenizer for the checkpoint's
    model_type), `label_map` (default {"toxicity": "rude", "insult": "rude"}), `batch_size`, `max_length`,
    `threads`, `min_score`. Relative paths are under models/."""

    name: ClassVar[str] = "detoxify"

    def __init__(self, options: dict[str, Any], models_dir: Path) -> None:
        for key in ("checkpoint", "config_dir"):
            if key not in options:
                raise ConfigError(f"detector 'detoxify': option {key} is required")
        super().__init__(options, models_dir, default_label_map=DEFAULT_LABEL_MAP, activation="sigmoid")
        self.checkpoint = self.path_option(options["checkpoint"])
        self.config_dir = self.path_option(options["config_dir"])
        self.classes: list[str] = []

    def load(self) -> None:
        """Read the checkpoint, build its model from the local config and load the weights."""
        torch = require_torch(self.name)
        import transformers

        if not self.checkpoint.is_file():
            raise ModelError(f"detector 'detoxify': checkpoint not found: {self.checkpoint}")
        try:
            loaded = torch.load(str(self.checkpoint), map_location="cpu", weights_only=True)
        except Exception as e:  # torch raises several types for a bad pickle; all mean "not a checkpoint"
            raise ModelError(f"detector 'detoxify': cannot read {self.checkpoint}: {e}") from None
        if not isinstance(loaded, dict) or "config" not in loaded or "state_dict" not in loaded:
            raise ModelError(f"detector 'detoxify': {self.checkpoint} lacks the config and state_dict Detoxify "
                             "checkpoints carry")
        try:
            args = loaded["config"]["arch"]["args"]
            classes = [RENAME.get(c, c) for c in loaded["config"]["dataset"]["args"]["classes"]]
            model_class = getattr(transformers, args["model_name"])
            tokenizer_class = getattr(transformers, args["tokenizer_name"])
            num_classes = int(args["num_classes"])
        except (KeyError, TypeError, AttributeError) as e:
            raise ModelError(f"detector 'detoxify': {self.checkpoint} has an unexpected config: {e}") from None
        if len(classes) != num_classes:
            raise ModelError(f"detector 'detoxify': {num_classes} outputs but {len(classes)} class names")
        torch.set_num_threads(self.threads)
        try:
            config = model_class.config_class.from_pretrained(str(self.config_dir), num_labels=num_classes,
                                                              local_files_only=True)
            model = model_class(config)
            missing, unexpected = model.load_state_dict(loaded["state_dict"], strict=False)
            self._tokenizer = tokenizer_class.from_pretrained(str(self.config_dir), local_files_only=True)
        except (OSError, ValueError, RuntimeError) as e:
            raise ModelError(f"detector 'detoxify': cannot build {args['model_name']} from {self.config_dir}: "
                             f"{e}") from None
        missing = [m for m in missing if not m.endswith("position_ids")]
        if missing or unexpected:
            raise ModelError(f"detector 'detoxify': checkpoint weights do not fit {args['model_name']}: missing "
                             f"{missing[:5]}, unexpected {list(unexpected)[:5]}")
        self._model = model.eval()
        self.classes = classes
        self._label_map = parse_label_map(self.name, self.raw_label_map, classes)
        self._version = f"{self.version}/{self.checkpoint.stem}"
        self.loaded_from([self.checkpoint, self.config_dir])
