"""Linear heads on sentence embeddings with Platt calibration, and the file that stores them: numpy only, read at
serving; `qa_monitor.training.heads` fits them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.errors import ModelError

HEADS_FILE = "embedding_heads.json"
# Per-language thresholds are clipped to this range.
THRESHOLD_RANGE = (0.2, 0.9)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, overflow-safe."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)))


@dataclass(frozen=True)
class Head:
    """A logistic-regression head followed by Platt scaling: p = sigmoid(a * (x.w + b) + c)."""

    weights: np.ndarray
    bias: float
    platt_a: float = 1.0
    platt_b: float = 0.0

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Uncalibrated decision values for rows of x."""
        return np.asarray(x @ self.weights + self.bias)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities in [0, 1] for rows of x."""
        return sigmoid(self.platt_a * self.raw(x) + self.platt_b)


@dataclass(frozen=True)
class Heads:
    """The three heads with their version and the encoder they were trained on."""

    version: str
    encoder: str
    heads: dict[str, Head]

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form (weights rounded to 6 decimals)."""
        dim = int(next(iter(self.heads.values())).weights.size)
        return {"version": self.version, "encoder": self.encoder, "dim": dim,
                "heads": {name: {"weights": [round(float(v), 6) for v in h.weights], "bias": round(h.bias, 6),
                                 "platt": [round(h.platt_a, 6), round(h.platt_b, 6)]}
                          for name, h in self.heads.items()}}

    def save(self, path: Path) -> None:
        """Write the heads file."""
        path.write_text(json.dumps(self.to_json()) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Heads:
        """Read a heads file written by `save`."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            heads = {name: Head(np.asarray(h["weights"], dtype=np.float32), float(h["bias"]),
                                float(h["platt"][0]), float(h["platt"][1])) for name, h in data["heads"].items()}
            return cls(str(data["version"]), str(data["encoder"]), heads)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
            raise ModelError(f"cannot read embedding heads {path}: {e}") from None
