"""Test data for the service: two teams, three agents, multilingual tickets over several weeks, scored; and one
ticket both teams answer, for the tests of who may see what.

`PhraseScorer` stands in for the scoring engine (owned elsewhere, loaded from model files): it finds fixed
phrases and returns real MessageScores with spans, so every service path (storage, queue, trends, webhooks)
runs on real rows without a model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from qa_monitor.config import AgentSpec, PipelineSpec, Settings, TeamSpec
from qa_monitor.records import Finding, Interaction, Message, MessageScore, Participant
from qa_monitor.scoring.thresholds import load_calibrated
from qa_monitor.service.scoring import score_inputs
from qa_monitor.storage.store import Store

PHRASES = {
    "rude": [r"not our problem", r"stop wasting my time", r"no es nuestro problema", r"to nie nasz problem"],
    "condescending": [r"as i already explained", r"obviously", r"como ya le expliqué", r"очевидно"],
    "unclear": [r"\bTBD\b", r"per the SOP", r"check the KB", r"\bZq7[A-Z]+\b"],
}
BASE_THRESHOLD = 0.5


class PhraseScorer:
    """A deterministic scorer over fixed phrases; thresholds from the newest calibrated version when given."""

    model_version = "phrases-test-1"

    def __init__(self, store: Store | None = None) -> None:
        self.thresholds: dict[str, dict[str, float]] = {}
        self.threshold_version = "base-test-1"
        latest = load_calibrated(store) if store is not None else None
        if latest:
            self.threshold_version, self.thresholds = latest

    def threshold(self, label: str, language: str) -> float:
        by_lang = self.thresholds.get(label, {})
        return by_lang.get(language, by_lang.get("*", BASE_THRESHOLD))

    def score(self, items: Sequence[Any]) -> list[MessageScore]:
        out = []
        for it in items:
            lang = it.language or ("es" if re.search(r"[ñ¿¡]|\bes\b|\busted\b", it.text) else "en")
            findings, scores = [], {}
            for label, patterns in PHRASES.items():
                best = 0.1
                for pat in patterns:
                    for m in re.finditer(pat, it.text, re.I):
                        # longer evidence reads as stronger; keeps scores distinct for calibration tests
                        score = min(0.99, 0.55 + 0.02 * len(m.group(0)))
                        best = max(best, score)
                        findings.append(Finding(message_id=it.message_id, label=label, score=score,  # type: ignore[arg-type]
                                                start=m.start(), end=m.end(), detector="phrases",
                                                detector_version="1", explanation=f"'{m.group(0)}' reads as {label}",
                                                suggestion="Say what you will do next.", rule=pat,
                                                evidence=m.group(0)))
                scores[label] = best
            out.append(MessageScore(message_id=it.message_id, language=lang, scores=scores,
                                    thresholds={lab: self.threshold(lab, lang) for lab in PHRASES},
                                    findings=tuple(findings), model_version=self.model_version,
                                    threshold_version=self.threshold_version))
        return out


def phrase_scorer_factory(settings: Settings, pipeline: PipelineSpec | None, store: Store) -> PhraseScorer:
    """The app's scorer factory in tests."""
    return PhraseScorer(store)


PIPELINE = PipelineSpec(
    name="service-test",
    teams=[TeamSpec(id="billing", name="Billing"), TeamSpec(id="tech", name="Tech support")],
    agents=[AgentSpec(id="anna", name="Anna Berg", team="billing", emails=["anna@help.example"]),
            AgentSpec(id="bruno", name="Bruno Díaz", team="billing", emails=["bruno@help.example"]),
            AgentSpec(id="chen", name="Chen Wu", team="tech", emails=["chen@help.example"])],
)

START = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # a Monday

# (agent, channel, language, customer text, agent reply)
CONVERSATIONS = [
    ("anna", "email", "en", "I was charged twice for my subscription.",
     "Sorry about that! I have refunded the second charge; you will see it in 3-5 days."),
    ("anna", "email", "en", "Why is my invoice wrong again?",
     "As I already explained, the invoice is correct. Obviously you did not read it."),
    ("bruno", "chat", "es", "¿Por qué no funciona mi tarjeta?",
     "Como ya le expliqué, no es nuestro problema. Hable con su banco."),
    ("bruno", "chat", "es", "¿Cuándo llega el reembolso?",
     "El reembolso llegará en 5 días hábiles. ¿Le puedo ayudar en algo más?"),
    ("chen", "ticket", "en", "The app crashes on login.",
     "Fix is TBD, check the KB per the SOP."),
    ("chen", "ticket", "en", "Still broken after the update.",
     "Not our problem. Stop wasting my time."),
    ("chen", "call", "en", "Can you reset my password?",
     "Done: I sent a reset link to your address; it works for one hour."),
    ("anna", "chat", "en", "Can I change my billing date?",
     "Obviously. Go to Settings > Billing and pick a new date."),
]


def make_interaction(i: int, agent: str, channel: str, lang: str, customer: str, reply: str,
                     when: datetime, source: str = "seed") -> Interaction:
    """One two-turn conversation (customer, then agent) with a third internal note."""
    iid = f"{source}:{i}"
    cust = Participant(id=f"cust-{i}", role="customer", name=f"Customer {i}")
    ag = Participant(id=f"{agent}@help.example", role="agent", name=agent.title(), agent_id=agent)
    msgs = (
        Message(id=f"{iid}#1", interaction_id=iid, seq=0, author=cust, sent_at=when, text=customer, language=lang),
        Message(id=f"{iid}#2", interaction_id=iid, seq=1, author=ag, sent_at=when + timedelta(minutes=5),
                text=reply, language=lang),
        Message(id=f"{iid}#3", interaction_id=iid, seq=2, author=ag, sent_at=when + timedelta(minutes=6),
                text="Internal: obviously a duplicate.", internal=True, language=lang),
    )
    return Interaction(id=iid, source=source, native_id=str(i), channel=channel, started_at=when,  # type: ignore[arg-type]
                       messages=msgs, subject=f"Ticket {i}")


# One ticket answered by both teams: tech's Chen first (so the ticket's own team is tech), then billing's Anna and
# Bruno. Each reply is flagged (unclear) only for a marker written nowhere else, in its text, evidence and
# explanation, so a test can tell whose words a response holds (and the other tests' counts stay as they were).
SHARED_ID = "seed:shared"
TECH_MARKER = "Zq7TECHONLY"
ANNA_MARKER = "Zq7ANNAONLY"
BRUNO_MARKER = "Zq7BRUNOONLY"


def shared_interaction(when: datetime = START + timedelta(days=1)) -> Interaction:
    """The ticket both teams answer, each agent's reply flagged."""
    cust = Participant(id="cust-shared", role="customer", name="Customer S")

    def agent(a: str) -> Participant:
        return Participant(id=f"{a}@help.example", role="agent", name=a.title(), agent_id=a)

    turns = [(cust, "My login fails and I was charged twice."),
             (agent("chen"), f"Your login works again: reset code {TECH_MARKER}."),
             (agent("anna"), f"The second charge is refunded under {ANNA_MARKER}."),
             (agent("bruno"), f"The refund shows as {BRUNO_MARKER} on the statement."),
             (cust, "Thanks, both are sorted now.")]
    msgs = tuple(Message(id=f"{SHARED_ID}#{k}", interaction_id=SHARED_ID, seq=k, author=who,
                         sent_at=when + timedelta(minutes=5 * k), text=text, language="en")
                 for k, (who, text) in enumerate(turns))
    return Interaction(id=SHARED_ID, source="seed", native_id="shared", channel="ticket", started_at=when,
                       messages=msgs, subject="Login and billing")


def seed(store: Store, weeks: int = 3) -> list[Interaction]:
    """Store and score every conversation once per week for `weeks` weeks; returns the interactions."""
    store.sync_directory(PIPELINE)
    scorer = PhraseScorer(store)
    out = []
    n = 0
    for week in range(weeks):
        for j, (agent, channel, lang, customer, reply) in enumerate(CONVERSATIONS):
            # later weeks drop some bad replies so trends change over time
            if week == weeks - 1 and j in (1, 5):
                reply = "Thanks for waiting: it is fixed now, and I added a note to your account."
            n += 1
            it = make_interaction(n, agent, channel, lang, customer, reply,
                                  START + timedelta(weeks=week, hours=j))
            store.upsert_interactions([it])
            store.save_scores(scorer.score(score_inputs(it)))
            out.append(it)
    return out


def seed_shared(store: Store) -> Interaction:
    """Store and score the ticket both teams answer (after `seed`)."""
    shared = shared_interaction()
    store.upsert_interactions([shared])
    store.save_scores(PhraseScorer(store).score(score_inputs(shared)))
    return shared
