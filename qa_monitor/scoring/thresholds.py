"""Per-label, per-language thresholds: shipped file, then calibrated (database), then pipeline overrides."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_monitor.errors import ModelError
from qa_monitor.records import LABELS

if TYPE_CHECKING:
    from qa_monitor.config import PipelineSpec
    from qa_monitor.storage.store import Store

# Used until `qa-monitor train` writes models/thresholds.json: the middle of the calibrated score range.
DEFAULT_THRESHOLD = 0.5
DEFAULT_VERSION = "default-0.5"
THRESHOLDS_FILE = "thresholds.json"
ANY_LANGUAGE = "*"
_MAX_VERSION = 64


@dataclass(frozen=True)
class Thresholds:
    """Thresholds keyed label -> language (or "*") -> value, with the version that names them."""

    version: str = DEFAULT_VERSION
    values: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def value(self, label: str, language: str) -> float:
        """The threshold for a label in a language, falling back to "*" and then to 0.5."""
        per = self.values.get(label, {})
        return float(per.get(language, per.get(ANY_LANGUAGE, DEFAULT_THRESHOLD)))

    def for_language(self, language: str) -> dict[str, float]:
        """Every label's threshold in one language."""
        return {label: self.value(label, language) for label in LABELS}

    def overlay(self, values: Mapping[str, Mapping[str, float]], version: str) -> Thresholds:
        """These thresholds with `values` laid over them, under a combined version."""
        merged: dict[str, dict[str, float]] = {k: dict(v) for k, v in self.values.items()}
        for label, per in values.items():
            merged.setdefault(label, {}).update({lang: float(x) for lang, x in per.items()})
        base = "" if self.version == DEFAULT_VERSION else self.version
        return Thresholds(_short_version(f"{base}+{version}" if base else version), merged)


def _short_version(version: str) -> str:
    """Versions are stored in 64-character columns; longer combinations are replaced by a stable digest."""
    if len(version) <= _MAX_VERSION:
        return version
    return "t-" + hashlib.sha256(version.encode()).hexdigest()[:24]


def _validated(values: Any, origin: str) -> dict[str, dict[str, float]]:
    if not isinstance(values, dict):
        raise ModelError(f"{origin}: 'thresholds' must be an object of label -> language -> number")
    out: dict[str, dict[str, float]] = {}
    for label, per in values.items():
        if label not in LABELS or not isinstance(per, dict):
            raise ModelError(f"{origin}: thresholds.{label}: expected one of {', '.join(LABELS)} "
                             f"mapping language -> number")
        for lang, x in per.items():
            if not isinstance(x, int | float) or not 0.0 <= float(x) <= 1.0:
                raise ModelError(f"{origin}: thresholds.{label}.{lang}: expected a number between 0 and 1")
        out[label] = {lang: float(x) for lang, x in per.items()}
    return out


def load_file(path: Path) -> Thresholds | None:
    """The thresholds written by training, or None when the file does not exist yet."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{path}: cannot read thresholds: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise ModelError(f"{path}: expected {{\"version\": str, \"thresholds\": {{...}}}}")
    return Thresholds(_short_version(data["version"]), _validated(data.get("thresholds", {}), str(path)))


def load_calibrated(store: Store) -> tuple[str, dict[str, dict[str, float]]] | None:
    """The latest thresholds version calibrated from reviews in the database, or None."""
    from sqlalchemy import select

    from qa_monitor.storage.tables import ThresholdRow

    with store.session() as s:
        latest = s.execute(select(ThresholdRow.version)
                           .order_by(ThresholdRow.created_at.desc(), ThresholdRow.id.desc()).limit(1)).scalar()
        if latest is None:
            return None
        values: dict[str, dict[str, float]] = {}
        for row in s.scalars(select(ThresholdRow).where(ThresholdRow.version == latest)):
            values.setdefault(row.label, {})[row.language] = float(row.value)
    return latest, values


def pipeline_overrides(pipeline: PipelineSpec) -> dict[str, dict[str, float]]:
    """A pipeline file's [thresholds] as label -> language (or "*") -> value."""
    values: dict[str, dict[str, float]] = {}
    for label, x in pipeline.thresholds.default.items():
        values.setdefault(label, {})[ANY_LANGUAGE] = x
    for lang, per in pipeline.thresholds.languages.items():
        for label, x in per.items():
            values.setdefault(label, {})[lang] = x
    return values


def resolve_thresholds(models_dir: Path, store: Store | None = None,
                       pipeline: PipelineSpec | None = None) -> Thresholds:
    """Shipped thresholds (0.5 until training writes them), then the latest calibration, then the pipeline's."""
    thresholds = load_file(models_dir / THRESHOLDS_FILE) or Thresholds()
    if store is not None:
        calibrated = load_calibrated(store)
        if calibrated:
            thresholds = thresholds.overlay(calibrated[1], calibrated[0])
    if pipeline is not None:
        overrides = pipeline_overrides(pipeline)
        if overrides:
            digest = hashlib.sha256(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:8]
            thresholds = thresholds.overlay(overrides, f"p-{digest}")
    return thresholds
