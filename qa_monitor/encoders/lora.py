"""The LoRA adapter file (models/encoder_lora.npz): which linear layers carry adapters, how they are stored, and how
they are merged into a plain BertModel's weights when the serving encoder is built (merging needs torch)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.errors import QAMonitorError

# The linear layers of each BertLayer that get an adapter (attention q/k/v/output and both FFN projections).
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")


def save_lora(path: Path, arrays: dict[str, np.ndarray], config: Mapping[str, Any], base_sha256: str,
              meta: dict[str, Any]) -> None:
    """Write the adapters (float16), the config, the base model's sha256 and run facts to one .npz."""
    info = {"config": dict(config), "base_sha256": base_sha256, "targets": list(TARGETS), **meta}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    payload: dict[str, Any] = {k: v.astype(np.float16) for k, v in arrays.items()}
    payload["__info__"] = np.array(json.dumps(info, sort_keys=True))
    np.savez_compressed(tmp, **payload)
    tmp.replace(path)


def load_lora(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The info dict and the A/B arrays (float32) of a LoRA file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            info = json.loads(str(data["__info__"]))
            arrays = {k: data[k].astype(np.float32) for k in data.files if k != "__info__"}
    except (OSError, ValueError, KeyError) as e:
        raise QAMonitorError(f"{path}: not a readable LoRA file ({e})") from None
    return info, arrays


def merge_lora(bert: Any, path: Path, base_sha256: str) -> dict[str, Any]:
    """Add (alpha / rank) * B @ A to each target weight of a plain BertModel in place; return the LoRA info."""
    import torch

    info, arrays = load_lora(path)
    if info.get("base_sha256") != base_sha256:
        raise QAMonitorError(f"{path} was trained on base model {str(info.get('base_sha256'))[:12]}, "
                             f"not on the installed {base_sha256[:12]}: retrain with `qa-monitor train --finetune`")
    cfg = info["config"]
    scale = float(cfg["alpha"]) / int(cfg["rank"])
    names = sorted({k.rsplit(".", 1)[0] for k in arrays})
    with torch.no_grad():
        for name in names:
            layer = bert.get_submodule(name)
            delta = torch.from_numpy(arrays[f"{name}.B"] @ arrays[f"{name}.A"]) * scale
            if tuple(delta.shape) != tuple(layer.weight.shape):
                raise QAMonitorError(f"{path}: adapter {name} has shape {tuple(delta.shape)}, "
                                     f"the layer {tuple(layer.weight.shape)}")
            layer.weight += delta.to(layer.weight.dtype)
    return info
