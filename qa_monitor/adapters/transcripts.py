"""Call transcripts: WebVTT (voice tags), SRT (speaker prefixes), AWS Transcribe JSON, Whisper/WhisperX JSON.

One file is one call and one raw payload. Consecutive segments of one speaker merge into one turn. A speaker is
resolved, in order, by the agents' `handles` in the pipeline file, then the source's `speakers` table
(label -> "agent:<id>" | "customer" | "system"); with a table given, a speaker in neither is a quarantine reason.
Without a table the agent is guessed: the speaker who greets with the company name (`options.company_names`),
else the first speaker; guessed roles are marked `role_guessed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any, ClassVar

from qa_monitor.adapters.files import FileAdapter, load_json, parse_time
from qa_monitor.adapters.text import clean_text
from qa_monitor.errors import ParseError
from qa_monitor.records import Interaction, Message, Participant, RawPayload


@dataclass(frozen=True)
class Segment:
    """One timed piece of speech by one speaker (a cue, a diarised segment, a run of words)."""

    speaker: str
    start: float
    text: str


# Phrases agents open calls with, in the five languages; with the company name they mark the agent.
_AGENT_OPENERS = re.compile(
    r"thank(s| you) for calling|welcome to|my name is|this is \w+|speaking|how (can|may) i help|"
    r"gracias por (llamar|contactar)|bienvenid[oa]|mi nombre es|le atiende|en qué (le )?puedo ayudar|"
    r"dziękuj\w* za (telefon|kontakt|połączenie)|nazywam się|z tej strony|w czym mogę pomóc|witamy|"
    r"спасибо за (звонок|обращение)|меня зовут|чем (я )?могу помочь|добро пожаловать|"
    r"paldies,? ka zvanījāt|mani sauc|kā (es )?varu palīdzēt|sveicināti", re.I)

_TIME_IN_NAME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})[T_ -]?(\d{2})[-:h]?(\d{2})(?:[-:m]?(\d{2}))?")


class TranscriptAdapter(FileAdapter):
    """Base for transcript formats: a file is one call; subclasses turn its content into segments and metadata."""

    channel: ClassVar[str] = "call"
    max_file_mb: ClassVar[float] = 50.0

    def segments(self, raw: RawPayload) -> tuple[list[Segment], dict[str, str]]:
        """The call's segments in order, and metadata found in the file (call_id, started_at)."""
        raise NotImplementedError

    def units(self, fh: IO[bytes], ref: str) -> Iterator[RawPayload]:
        """The whole file as one payload; a file over `options.max_file_mb` is kept but quarantined unread."""
        limit = float(self.source.options.get("max_file_mb", self.max_file_mb))
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(0)
        content = fh.read()
        if size > limit * 1024 * 1024:
            yield self.quarantine(f"{self.name}.call", ref, content,
                                  f"{ref}: {size / 1024 / 1024:.1f} MB is over the {limit:g} MB limit for one "
                                  f"transcript (options.max_file_mb); raise it to read this file")
            return
        yield self.payload(f"{self.name}.call", ref, content)

    def parse_unit(self, raw: RawPayload) -> list[Interaction]:
        """One call: segments merged into turns, speakers resolved to agent and customer."""
        if not raw.content.strip():
            raise ParseError(f"{raw.ref}: empty transcript")
        segs, meta = self.segments(raw)
        if not segs:
            raise ParseError(f"{raw.ref}: transcript has no speech segments")
        turns = merge_turns(segs)
        roles = self.resolve_speakers([t.speaker for t in turns], turns, raw.ref)
        native = meta.get("call_id") or re.sub(r"\.[^.]+$", "", raw.ref).replace("/", ":")
        started = self._started_at(meta, raw.ref)
        iid = self.iid(native)
        msgs = [Message(id=f"{iid}#{i}", interaction_id=iid, seq=i, author=roles[t.speaker],
                        sent_at=started + timedelta(seconds=t.start), text=t.text,
                        meta={"offset_s": round(t.start, 3), "speaker": t.speaker})
                for i, t in enumerate(turns)]
        return [Interaction(id=iid, source=self.origin, native_id=native, channel="call", started_at=started,
                            messages=tuple(msgs), subject=meta.get("subject"),
                            meta={k: v for k, v in meta.items() if k not in ("call_id", "started_at")})]

    def _started_at(self, meta: dict[str, str], ref: str) -> datetime:
        if meta.get("started_at"):
            return parse_time(meta["started_at"], f"{ref}: started_at")
        m = _TIME_IN_NAME.search(ref)
        if m:
            y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
            try:
                return parse_time(datetime(y, mo, d, h, mi, s).isoformat(), f"{ref}: time in file name")
            except ValueError:
                pass
        raise ParseError(f"{ref}: no call start time: add 'started_at' metadata or put the date and time in the "
                         f"file name (for example call-2026-11-03T09-30.vtt)")

    def resolve_speakers(self, labels: list[str], turns: list[Segment], ref: str) -> dict[str, Participant]:
        """Each speaker label's participant: configured handles, then the speakers table, else the greeting rule."""
        table = self.source.speakers
        out: dict[str, Participant] = {}
        unknown: list[str] = []
        for label in dict.fromkeys(labels):
            agent = self.directory.agent_for(handle=label, name=label)
            if agent:
                out[label] = Participant(id=label, role="agent", name=self.directory.names.get(agent, label),
                                         agent_id=agent)
                continue
            mapped = table.get(label)
            if mapped is None:
                unknown.append(label)
            elif mapped.startswith("agent:"):
                aid = mapped.split(":", 1)[1]
                out[label] = Participant(id=label, role="agent", name=self.directory.names.get(aid, label),
                                         agent_id=aid)
            elif mapped == "customer":
                out[label] = Participant(id=label, role="customer", name=label)
            elif mapped == "system":
                out[label] = Participant(id=label, role="system", name=label)
            elif mapped == "agent":
                out[label] = Participant(id=label, role="agent", name=label)
            else:
                raise ParseError(f"{ref}: speakers table maps '{label}' to '{mapped}'; expected 'agent:<id>', "
                                 f"'customer' or 'system'")
        if not unknown:
            return out
        if table:
            raise ParseError(f"{ref}: unknown speaker {', '.join(repr(u) for u in unknown)}: not in the source's "
                             f"speakers table ({', '.join(sorted(table))}) nor an agent handle")
        has_agent = any(p.role == "agent" for p in out.values())
        guess = None if has_agent else self.guess_agent(turns)
        for label in unknown:
            out[label] = Participant(id=label, role="agent" if label == guess else "customer", name=label,
                                     role_guessed=True)
        return out

    def guess_agent(self, turns: list[Segment]) -> str:
        """The speaker who greets with the company name in the first turns, else the first speaker."""
        names = [str(n).casefold() for n in self.source.options.get("company_names", [])]
        for t in turns[:4]:
            low = t.text.casefold()
            hit = [n for n in names if n and n in low]
            if not hit:
                continue
            words = low.split()
            early = any(n in " ".join(words[:10]) for n in hit)
            if early and (_AGENT_OPENERS.search(low[:300]) or low.find(hit[0]) < 40):
                return t.speaker
        return turns[0].speaker


def merge_turns(segs: list[Segment]) -> list[Segment]:
    """Consecutive segments of one speaker joined into one turn (starting at the first segment's time)."""
    turns: list[Segment] = []
    for s in segs:
        text = clean_text(s.text)
        if not text:
            continue
        if turns and turns[-1].speaker == s.speaker:
            last = turns[-1]
            turns[-1] = Segment(last.speaker, last.start, f"{last.text} {text}")
        else:
            turns.append(Segment(s.speaker, s.start, text))
    return turns


def _decode(raw: RawPayload) -> str:
    try:
        return raw.content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ParseError(f"{raw.ref}: not UTF-8 text ({e.reason} at byte {e.start})") from None


def _clock(value: str, ref: str) -> float:
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})", value.strip())
    if not m:
        raise ParseError(f"{ref}: bad timestamp '{value.strip()[:30]}'")
    h, mi, s, ms = m.groups()
    return int(h or 0) * 3600 + int(mi) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


# --- WebVTT ----------------------------------------------------------------------------------------------

_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?=<v[\s.]|$)", re.S)


class WebVttAdapter(TranscriptAdapter):
    """WebVTT with voice tags (`<v Speaker Name>text`); metadata `key: value` lines in a NOTE block."""

    name: ClassVar[str] = "webvtt"
    suffixes: ClassVar[tuple[str, ...]] = (".vtt",)

    def segments(self, raw: RawPayload) -> tuple[list[Segment], dict[str, str]]:
        """Cues split on voice tags; a cue without a tag continues the previous speaker."""
        text = _decode(raw)
        blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
        if not blocks[0].startswith("WEBVTT"):
            raise ParseError(f"{raw.ref}: not a WebVTT file (no WEBVTT header)")
        meta: dict[str, str] = {}
        segs: list[Segment] = []
        speaker: str | None = None
        for n, block in enumerate(blocks[1:], start=1):
            lines = block.split("\n")
            if lines[0].startswith("NOTE"):
                for line in lines[1:]:
                    k, sep, v = line.partition(":")
                    if sep and re.fullmatch(r"[\w-]+", k.strip()):
                        meta.setdefault(k.strip(), v.strip())
                continue
            if lines[0].startswith(("STYLE", "REGION")):
                continue
            timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
            if timing is None:
                raise ParseError(f"{raw.ref}: cue {n} has no timing line")
            start = _clock(lines[timing].split("-->")[0], raw.ref)
            payload = "\n".join(lines[timing + 1:])
            voices = _VOICE.findall(payload)
            if voices:
                for who, said in voices:
                    speaker = who.strip()
                    segs.append(Segment(speaker, start, re.sub(r"</?[^>]+>", "", said)))
            else:
                if speaker is None:
                    raise ParseError(f"{raw.ref}: cue {n} has no speaker (no <v Name> voice tag)")
                segs.append(Segment(speaker, start, re.sub(r"</?[^>]+>", "", payload)))
        return segs, meta


# --- SRT -------------------------------------------------------------------------------------------------

_PREFIX = re.compile(r"^\s*(?:\[([^\]]{1,60})\]|([^\W\d][\w .'-]{0,40}?))\s*:\s+(.*)$", re.S)


class SrtAdapter(TranscriptAdapter):
    """SubRip subtitles whose lines start with the speaker ("Name: text"); a line without one continues."""

    name: ClassVar[str] = "srt"
    suffixes: ClassVar[tuple[str, ...]] = (".srt",)

    def segments(self, raw: RawPayload) -> tuple[list[Segment], dict[str, str]]:
        """Blocks of index, timing and text lines."""
        text = _decode(raw)
        segs: list[Segment] = []
        speaker: str | None = None
        for n, block in enumerate(re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()), start=1):
            lines = [line for line in block.split("\n") if line.strip()]
            timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
            if timing is None:
                raise ParseError(f"{raw.ref}: block {n} has no timing line")
            start = _clock(lines[timing].split("-->")[0], raw.ref)
            for line in lines[timing + 1:]:
                m = _PREFIX.match(line)
                if m:
                    speaker = (m.group(1) or m.group(2)).strip()
                    said = m.group(3)
                elif speaker is None:
                    raise ParseError(f"{raw.ref}: block {n} has no speaker prefix ('Name: text')")
                else:
                    said = line
                segs.append(Segment(speaker, start, re.sub(r"</?[^>]+>", "", said)))
        return segs, {}


# --- JSON transcripts ------------------------------------------------------------------------------------

def _json_meta(doc: dict[str, Any]) -> dict[str, str]:
    meta = {k: str(doc[k]) for k in ("call_id", "started_at", "subject") if doc.get(k)}
    if doc.get("language"):
        meta["language"] = str(doc["language"])
    return meta


class AwsTranscribeAdapter(TranscriptAdapter):
    """Amazon Transcribe output JSON with speaker labels (`spk_0`) or channel identification (`ch_0`)."""

    name: ClassVar[str] = "aws_transcribe"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def segments(self, raw: RawPayload) -> tuple[list[Segment], dict[str, str]]:
        """Words grouped by speaker (or channel) in time order; punctuation joins the word before it."""
        doc = load_json(raw)
        res = doc.get("results") if isinstance(doc, dict) else None
        if not isinstance(res, dict):
            raise ParseError(f"{raw.ref}: not an Amazon Transcribe result (no 'results' object)")
        words: list[tuple[float, int, str, str, str]] = []  # (start, order, speaker, type, content)
        if res.get("channel_labels"):
            for ch in res["channel_labels"].get("channels", []):
                words += self._words(ch.get("items", []), lambda _it, c=ch["channel_label"]: str(c), raw.ref)
        else:
            by_time: dict[str, str] = {}
            for seg in (res.get("speaker_labels") or {}).get("segments", []):
                for it in seg.get("items", []):
                    by_time[str(it.get("start_time"))] = str(it.get("speaker_label") or seg.get("speaker_label"))

            def who(it: dict[str, Any]) -> str | None:
                return it.get("speaker_label") or by_time.get(str(it.get("start_time")))

            words = self._words(res.get("items", []), who, raw.ref)
        words.sort(key=lambda w: (w[0], w[1]))
        segs: list[Segment] = []
        for start, _o, speaker, kind, content in words:
            if kind == "punctuation" and segs and segs[-1].speaker == speaker:
                segs[-1] = Segment(speaker, segs[-1].start, segs[-1].text + content)
            elif segs and segs[-1].speaker == speaker:
                segs[-1] = Segment(speaker, segs[-1].start, f"{segs[-1].text} {content}")
            else:
                segs.append(Segment(speaker, start, content))
        return segs, {**_json_meta(doc), **({"job": str(doc["jobName"])} if doc.get("jobName") else {})}

    @staticmethod
    def _words(items: list[dict[str, Any]], who: Any, ref: str) -> list[tuple[float, int, str, str, str]]:
        out: list[tuple[float, int, str, str, str]] = []
        last_start, last_speaker = 0.0, None
        for order, it in enumerate(items):
            alts = it.get("alternatives") or [{}]
            content = str(alts[0].get("content", ""))
            if it.get("type") == "punctuation":
                if last_speaker is not None:
                    out.append((last_start, order, last_speaker, "punctuation", content))
                continue
            speaker = who(it)
            if speaker is None:
                raise ParseError(f"{ref}: word at {it.get('start_time')} s has no speaker label "
                                 f"(enable speaker identification or channel identification)")
            last_start, last_speaker = float(it.get("start_time", last_start)), str(speaker)
            out.append((last_start, order, last_speaker, "pronunciation", content))
        return out


class WhisperAdapter(TranscriptAdapter):
    """Whisper/WhisperX JSON: `{"segments": [{"start", "end", "text", "speaker"}]}` (speakers from diarisation)."""

    name: ClassVar[str] = "whisper"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def segments(self, raw: RawPayload) -> tuple[list[Segment], dict[str, str]]:
        """Segments with their speaker; one without a speaker continues the previous one."""
        doc = load_json(raw)
        items = doc.get("segments") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise ParseError(f"{raw.ref}: not a Whisper result (no 'segments' list)")
        segs: list[Segment] = []
        speaker: str | None = None
        for n, s in enumerate(items):
            if not isinstance(s, dict):
                raise ParseError(f"{raw.ref}: segment {n} is not an object")
            speaker = str(s["speaker"]) if s.get("speaker") else speaker
            if speaker is None:
                raise ParseError(f"{raw.ref}: segment {n} has no speaker (diarise first, e.g. with WhisperX)")
            segs.append(Segment(speaker, float(s.get("start", 0.0)), str(s.get("text", ""))))
        return segs, _json_meta(doc) if isinstance(doc, dict) else {}
