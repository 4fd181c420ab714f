"""Detector names mapped to their classes ("module:Class"), imported only when used."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from qa_monitor.detectors.base import Detector
from qa_monitor.errors import ConfigError

DETECTORS: dict[str, str] = {
    "markers": "qa_monitor.detectors.markers:MarkerDetector",
    "clarity": "qa_monitor.detectors.clarity:ClarityDetector",
    "embedding": "qa_monitor.detectors.embedding:EmbeddingDetector",
    "transformers": "qa_monitor.detectors.backends.transformers:TransformersDetector",
    "detoxify": "qa_monitor.detectors.backends.detoxify:DetoxifyDetector",
}

# Used when a pipeline does not list detectors; each is kept only if its model files exist (see `available`).
DEFAULT_DETECTORS: tuple[str, ...] = ("markers", "clarity", "embedding")


def register(name: str, target: str) -> None:
    """Register (or replace) a detector class under a name, as "module:Class"."""
    DETECTORS[name] = target


def detector_class(name: str) -> type[Detector]:
    """Import and return the Detector class registered under `name`."""
    try:
        target = DETECTORS[name]
    except KeyError:
        raise ConfigError(f"unknown detector '{name}' (known: {', '.join(sorted(DETECTORS))})") from None
    module, _, attr = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise ConfigError(f"detector '{name}' cannot be imported from {target}: {e}") from None
    if not (isinstance(cls, type) and issubclass(cls, Detector)):
        raise ConfigError(f"detector '{name}': {target} is not a Detector (qa_monitor.detectors.base)")
    return cls


def available(name: str, models_dir: Path) -> bool:
    """True when a detector can run here: importable, and its model files present (`Detector.available`)."""
    try:
        cls = detector_class(name)
    except ConfigError:
        return False
    return cls.available(models_dir)


def build_detector(name: str, options: dict[str, Any], models_dir: Path) -> Detector:
    """An instance of the named detector, built as `Cls(options, models_dir)`."""
    cls = detector_class(name)
    return cls(options=dict(options), models_dir=models_dir)
