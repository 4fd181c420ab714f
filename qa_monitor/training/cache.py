"""An on-disk cache of text embeddings, keyed by encoder name and text hash, so a retrain re-embeds nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qa_monitor.encoders.e5 import DIM, SentenceEncoder


def text_key(text: str) -> str:
    """A stable 20-byte key for a text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings of one encoder in `directory/<encoder>.npz`, appended to in chunks as they are computed."""

    def __init__(self, directory: Path, encoder_name: str) -> None:
        self.path = directory / f"{encoder_name}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            with np.load(self.path) as data:
                for k, v in zip(data["keys"], data["vectors"], strict=True):
                    self._vectors[str(k)] = v

    def __len__(self) -> int:
        return len(self._vectors)

    def save(self) -> None:
        """Write the cache atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors), dtype="U40")
        vectors = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, DIM), np.float32)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors.astype(np.float32))
        tmp.replace(self.path)

    def embed(self, texts: Sequence[str], encoder: SentenceEncoder, chunk: int = 512,
              progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Embeddings for texts, computing (and saving every chunk) only those not cached yet."""
        keys = [text_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
        done = 0
        for i in range(0, len(missing), chunk):
            part = missing[i:i + chunk]
            vecs = encoder.encode([t for _, t in part])
            for (k, _), v in zip(part, vecs, strict=True):
                self._vectors[k] = v
            self.save()
            done += len(part)
            if progress:
                progress(done, len(missing))
        return np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, DIM), np.float32)
