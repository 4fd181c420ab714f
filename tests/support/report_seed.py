"""A small, hand-counted help desk for the weekly report tests (week 2026-W47 and the two weeks before)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from qa_monitor.config import AgentSpec, PipelineSpec, TeamSpec
from qa_monitor.records import Finding, Interaction, Message, MessageScore, Participant
from qa_monitor.storage import tables as t
from qa_monitor.storage.store import Store


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, UTC (16 Nov is the Monday of W47, 9 Nov of W46, 2 Nov of W45)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class Msg:
    seq: int
    agent: str | None          # None: the customer
    when: datetime
    text: str
    lang: str = "en"
    flags: tuple[tuple[str, str, float, str | None], ...] = ()   # (label, evidence, score, rule); 0.5 = threshold
    internal: bool = False


THREAD: dict[str, tuple[str, list[Msg]]] = {
    # --- W47 ---------------------------------------------------------------------------------------------
    "i1": ("chat", [
        Msg(0, None, at(16, 9, 10), "My invoice is wrong, my email is jan.kowalski@example.com"),
        Msg(1, "a1", at(16, 9, 15), "Read the FAQ. It is all there.", flags=(("rude", "Read the FAQ.", 0.9, "rtfm"),)),
        Msg(2, "a1", at(16, 9, 40), "I have corrected the invoice and sent it again."),
        Msg(3, "a1", at(16, 10, 5), "Just read the  FAQ!", flags=(("rude", "read the  FAQ!", 0.8, "rtfm"),)),
        Msg(4, "a1", at(16, 10, 30), "internal: customer is annoying", internal=True),
    ]),
    "i2": ("email", [
        Msg(0, "a1", at(16, 14, 20), "Thank you, the refund is on its way."),
        Msg(1, "a1", at(17, 9, 30), "Obviously you need to write to billing@example.com yourself.",
            flags=(("condescending", "Obviously", 0.7, "obviously"),)),
    ]),
    "i3": ("chat", [
        Msg(0, "a2", at(18, 8, 0), "Hola, ¿en qué puedo ayudarle?", "es"),
        Msg(1, "a2", at(18, 8, 20), "Revise la configuración del router.", "es"),
        Msg(2, "a2", at(18, 8, 40), "Lea las preguntas frecuentes.", "es",
            flags=(("rude", "read the FAQ", 0.2, "rtfm"),)),   # below threshold: not a flag
        Msg(3, "a2", at(18, 9, 10), "Configure el DHCP con el MTU del APN.", "es",
            flags=(("unclear", "DHCP con el MTU del APN", 0.6, "jargon"),)),
        Msg(4, "a2", at(18, 9, 50), "Ya está resuelto.", "es"),
        Msg(5, "a2", at(18, 10, 30), "Gracias por su paciencia.", "es"),
    ]),
    "i4": ("call", [
        Msg(0, None, at(19, 12, 55), "Не работает интернет.", "ru"),
        Msg(1, "a3", at(19, 13, 0), "Не наша проблема.", "ru", flags=(("rude", "Не наша проблема.", 0.95, None),)),
        Msg(2, "a3", at(19, 13, 30), "НЕ НАША ПРОБЛЕМА, звоните провайдеру.", "ru",
            flags=(("rude", "НЕ НАША ПРОБЛЕМА", 0.85, None),)),
    ]),
    # --- W46 (the previous week) -----------------------------------------------------------------------
    "i5": ("chat", [
        Msg(0, "a1", at(10, 10, 0), "Read the manual.", flags=(("rude", "Read the manual.", 0.9, "rtfm"),)),
        Msg(1, "a1", at(10, 10, 10), "As I already said, no.", flags=(("rude", "no.", 0.8, None),)),
        Msg(2, "a1", at(10, 10, 20), "Stop asking.", flags=(("rude", "Stop asking.", 0.9, None),)),
        Msg(3, "a1", at(10, 10, 30), "Clearly you did not try.", flags=(("condescending", "Clearly", 0.7, None),)),
    ]),
    "i6": ("email", [
        Msg(0, "a2", at(11, 9, 0), "Su pedido ha salido hoy.", "es"),
        Msg(1, "a2", at(11, 9, 5), "Le envío el número de seguimiento.", "es"),
        Msg(2, "a2", at(11, 9, 10), "Un saludo.", "es"),
    ]),
    # --- W45 -------------------------------------------------------------------------------------------
    "i7": ("chat", [
        Msg(0, "a2", at(3, 9, 0), "Haga un reset del ONT.", "es", flags=(("unclear", "ONT", 0.6, "jargon"),)),
    ]),
}


def seed(store: Store) -> None:
    """Write the threads above, their scores (threshold 0.5 for every label) and findings."""
    store.migrate()
    store.sync_directory(PipelineSpec(
        name="test",
        teams=[TeamSpec(id="t1", name="Billing"), TeamSpec(id="t2", name="Tech")],
        agents=[AgentSpec(id="a1", name="Anna", team="t1"), AgentSpec(id="a2", name="Bruno", team="t1"),
                AgentSpec(id="a3", name="Dmitri", team="t2")]))
    interactions, scores = [], []
    for iid, (channel, msgs) in THREAD.items():
        messages = []
        for m in msgs:
            author = (Participant(id=m.agent, role="agent", name=m.agent, agent_id=m.agent) if m.agent
                      else Participant(id="cust", role="customer", name="Customer"))
            mid = f"src:{iid}#{m.seq}"
            messages.append(Message(id=mid, interaction_id=f"src:{iid}", seq=m.seq, author=author, sent_at=m.when,
                                    text=m.text, internal=m.internal, language=m.lang))
            if m.agent and not m.internal:
                findings = []
                for label, evidence, score, rule in m.flags:
                    start = m.text.index(evidence) if evidence in m.text else 0
                    findings.append(Finding(mid, label, score, start, start + len(evidence), "markers", "1.0",  # type: ignore[arg-type]
                                            f"{label} wording", f"Try a kinder way than '{evidence}'", rule, evidence))
                per_label = {lab: max([f.score for f in findings if f.label == lab], default=0.0)
                             for lab in ("rude", "condescending", "unclear")}
                scores.append(MessageScore(mid, m.lang, per_label, {lab: 0.5 for lab in per_label}, tuple(findings),
                                           "markers-1.0", "th-1"))
        interactions.append(Interaction(id=f"src:{iid}", source="src", native_id=iid, channel=channel,  # type: ignore[arg-type]
                                        started_at=msgs[0].when, messages=tuple(messages)))
    store.upsert_interactions(interactions)
    store.save_scores(scores)
    with store.session() as s:
        maria, john = t.UserRow(name="maria", role="manager"), t.UserRow(name="john", role="manager")
        s.add_all([maria, john])
        s.flush()
        fid = {(r.message_id, r.label): r.id for r in s.query(t.FindingRow)}
        s.add_all([
            # W47: maria first dismissed, then confirmed a1's "Read the FAQ." (the latest verdict counts)
            t.ReviewRow(finding_id=fid[("src:i1#1", "rude")], verdict="dismissed", reviewer_id=maria.id,
                        created_at=at(17, 8)),
            t.ReviewRow(finding_id=fid[("src:i1#1", "rude")], verdict="confirmed", reviewer_id=maria.id,
                        created_at=at(17, 9)),
            t.ReviewRow(finding_id=fid[("src:i4#1", "rude")], verdict="confirmed", reviewer_id=john.id,
                        created_at=at(20, 10)),
            t.ReviewRow(finding_id=fid[("src:i3#3", "unclear")], verdict="dismissed", reviewer_id=john.id,
                        created_at=at(20, 11)),
            # W46: outside the report week
            t.ReviewRow(finding_id=fid[("src:i5#0", "rude")], verdict="dismissed", reviewer_id=john.id,
                        created_at=at(12, 11)),
        ])
