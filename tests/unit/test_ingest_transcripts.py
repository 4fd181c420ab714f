"""Each transcript format ingests from a real sample file; speakers map from the pipeline or are guessed."""

from __future__ import annotations

from pathlib import Path

from qa_monitor.ingest import ingest_pipeline
from qa_monitor.storage import tables as t
from tests.support.ingest import FIXTURES, count, messages, pipeline, source, sqlite_store

CALLS = FIXTURES / "transcripts"


def test_webvtt_voice_tags_metadata_and_handles(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("calls", "webvtt", CALLS / "webvtt"))
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, spec)
    assert (report.interactions, report.quarantined) == (1, 0)
    msgs = messages(store, "calls:CALL-2026-11-03-0007")  # call_id from the NOTE block
    # six cues, consecutive cues of one speaker merged: four turns
    assert [(m.role, m.agent_id, m.role_guessed) for m in msgs] == [
        ("agent", "james", False), ("customer", None, True), ("agent", "james", False), ("customer", None, True)]
    assert msgs[1].text == "Hi James. I was charged twice for October, sixty pounds each time. " \
                           "The second one came out yesterday."
    # cue offsets are added to started_at from the metadata
    assert msgs[2].sent_at.replace(tzinfo=None).isoformat() == "2026-11-03T09:30:25.600000"
    with store.session() as s:
        assert s.get(t.InteractionRow, "calls:CALL-2026-11-03-0007").meta == {"queue": "billing"}


def test_srt_speaker_prefixes_with_speakers_table(tmp_path: Path) -> None:
    src = source("calls", "srt", CALLS / "srt") + '[sources.speakers]\nCarmen = "agent:carmen"\nCliente = "customer"\n'
    spec = pipeline(tmp_path, src)
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, spec)
    msgs = messages(store, "calls:llamada-2026-11-04T10-15")
    assert [(m.role, m.agent_id, m.role_guessed) for m in msgs] == [
        ("agent", "carmen", False), ("customer", None, False), ("agent", "carmen", False),
        ("customer", None, False), ("agent", "carmen", False)]
    # a line without a prefix continues the speaker before it
    assert msgs[2].text == "Vale. Veo una avería en su zona desde el lunes. " \
                           "Está previsto que quede resuelta mañana antes de las 14:00."
    # the start time comes from the file name
    assert msgs[0].sent_at.replace(tzinfo=None).isoformat() == "2026-11-04T10:15:00.400000"


def test_aws_transcribe_speaker_labels_and_channels_guessed_by_greeting(tmp_path: Path) -> None:
    spec = pipeline(tmp_path, source("aws", "aws_transcribe", CALLS / "aws", company_names=["Nordlink"]))
    store = sqlite_store(tmp_path)
    [report] = ingest_pipeline(store, spec)
    assert (report.interactions, report.quarantined) == (2, 0)
    pl = messages(store, "aws:rozmowa-2026-11-05T14-00")
    assert [(m.role, m.role_guessed) for m in pl] == [("agent", True), ("customer", True), ("agent", True),
                                                      ("customer", True)]
    assert pl[0].text == "Nordlink, dzień dobry, z tej strony Piotr Nowak. W czym mogę pomóc?"
    assert pl[1].text == "Dzień dobry. Od rana nie działa mi internet w domu. Router miga na pomarańczowo."
    ru = messages(store, "aws:zvonok-2026-11-06T09-30-channels")
    assert [m.meta["speaker"] for m in ru] == ["ch_0", "ch_1", "ch_0", "ch_1"]
    assert [m.role for m in ru] == ["agent", "customer", "agent", "customer"]
    assert ru[1].text == "Здравствуйте. С карты дважды списали абонентскую плату. Хочу вернуть лишнее."


def test_greeting_rule_finds_the_agent_who_does_not_speak_first(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "call-2026-11-12T08-00.srt").write_text(
        "1\n00:00:00,100 --> 00:00:01,500\nA: Hello?\n\n"
        "2\n00:00:01,800 --> 00:00:05,000\nB: Good morning, thank you for calling Nordlink, my name is Sam.\n\n"
        "3\n00:00:05,500 --> 00:00:08,000\nA: Hi, my Nordlink router is broken.\n", encoding="utf-8")
    spec = pipeline(tmp_path, source("calls", "srt", calls, company_names=["Nordlink"]))
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, spec)
    msgs = messages(store, "calls:call-2026-11-12T08-00")
    assert [(m.author_id, m.role, m.role_guessed) for m in msgs] == [
        ("A", "customer", True), ("B", "agent", True), ("A", "customer", True)]


def test_whisperx_segments_with_speakers(tmp_path: Path) -> None:
    src = (source("wx", "whisper", CALLS / "whisper")
           + '[sources.speakers]\nSPEAKER_01 = "agent:anna"\nSPEAKER_00 = "customer"\n')
    spec = pipeline(tmp_path, src)
    store = sqlite_store(tmp_path)
    ingest_pipeline(store, spec)
    msgs = messages(store, "wx:zvans-2026-11-07T11-20")
    assert [(m.role, m.agent_id) for m in msgs] == [("agent", "anna"), ("customer", None), ("agent", "anna"),
                                                    ("customer", None)]
    assert msgs[0].text == "Labdien, Nordlink klientu atbalsts, mani sauc Anna. Kā varu palīdzēt?"
    assert count(store, t.MessageRow, t.MessageRow.role_guessed.is_(True)) == 0


def _adapter(tmp_path: Path, adapter: str, speakers: str = ""):  # type: ignore[no-untyped-def]
    from qa_monitor.adapters.base import build_adapter

    spec = pipeline(tmp_path, source("calls", adapter, tmp_path) + speakers)
    return build_adapter(spec.sources[0], spec)


def _raw(kind: str, ref: str, content: bytes):  # type: ignore[no-untyped-def]
    from qa_monitor.records import RawPayload

    return RawPayload(id=RawPayload.make_id("calls", content), source="calls", kind=kind, ref=ref, content=content)


def test_aws_items_with_their_own_speaker_labels(tmp_path: Path) -> None:
    import json

    def word(t: float, spk: str, w: str) -> dict[str, object]:
        return {"start_time": str(t), "end_time": str(t + 0.3), "type": "pronunciation", "speaker_label": spk,
                "alternatives": [{"content": w}]}

    items = [word(0.1, "spk_1", "Hello"), {"type": "punctuation", "alternatives": [{"content": ","}]},
             word(0.5, "spk_1", "Nordlink"), word(1.5, "spk_0", "Hi"), word(1.8, "spk_0", "there"),
             {"type": "punctuation", "alternatives": [{"content": "."}]}]
    doc = {"results": {"items": items}, "started_at": "2026-11-12T08:00:00Z", "call_id": "aws-77"}
    a = _adapter(tmp_path, "aws_transcribe", '[sources.speakers]\nspk_1 = "agent:james"\nspk_0 = "customer"\n')
    [it] = a.parse(_raw("aws_transcribe.call", "x.json", json.dumps(doc).encode()))
    assert it.id == "calls:aws-77"
    assert [(m.author.role, m.text) for m in it.messages] == [("agent", "Hello, Nordlink"), ("customer", "Hi there.")]


def test_whisper_without_diarisation_is_a_parse_error(tmp_path: Path) -> None:
    import pytest

    from qa_monitor.errors import ParseError

    a = _adapter(tmp_path, "whisper")
    content = b'{"segments": [{"start": 0.0, "end": 2.0, "text": "Hello, Nordlink support."}]}'
    with pytest.raises(ParseError, match="segment 0 has no speaker"):
        a.parse(_raw("whisper.call", "call-2026-11-12T08-00.json", content))


def test_a_call_without_a_start_time_is_a_parse_error(tmp_path: Path) -> None:
    import pytest

    from qa_monitor.errors import ParseError

    a = _adapter(tmp_path, "srt")
    content = b"1\n00:00:00,100 --> 00:00:01,500\nA: Hello?\n"
    with pytest.raises(ParseError, match="no call start time"):
        a.parse(_raw("srt.call", "call.srt", content))
