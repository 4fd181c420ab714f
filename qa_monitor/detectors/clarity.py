"""Clarity detector: per-language rules for replies that are hard to understand or do not help.

What it looks for, each pointing at the sentence or term concerned: acronyms and jargon the customer did not use
and the reply does not explain; vague non-answers with no next step or date; walls of text; very long sentences;
contradictory steps ("restart the router" ... "do not restart the router"); a reply that shares no key word with
the customer's question; and long words well above the customer's own level (syllables via pyphen).
Rules and word lists live in versioned data files, `clarity/<lang>.toml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from qa_monitor.detectors.rules import RuleDetector, clip, combine, compile_regex, read_rules_file, sentence_at
from qa_monitor.errors import ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence
from qa_monitor.nlp.docs import doc_of
from qa_monitor.nlp.segment import segment
from qa_monitor.records import Finding

DATA_DIR = Path(__file__).with_name("clarity")
BOOST = 0.3                 # how much each further clarity issue adds to the others (noisy-or, damped)
MAX_SCORE = 0.95
TERM_BASE = 0.45            # one unexplained term stays below the default threshold; two or more flag
VAGUE_SCORE = 0.7
CONTRADICTION_SCORE = 0.65
HEDGED_SCORE = 0.6           # several hedges ("may", "depending on", "subject to") and no next step
WEAK_HEDGED_SCORE = 0.4
UNANSWERED_SCORE = 0.3       # lexical overlap is a weak cue (synonyms, inflection): it only adds to others
MIN_LONG_WORD_CHARS = 7     # shorter words never reach the syllable limits; skipping them keeps this fast
MIN_WORDS_FOR_DENSITY = 15
MIN_WORDS_FOR_ANSWER = 5
STEM_CHARS = 5

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_ROMAN = re.compile(r"[IVXLC]+")
_LIST_LINE = re.compile(r"(?m)^\s*(?:\d+[.)]|[-*•])\s")


@dataclass(frozen=True)
class ClarityRules:
    """One language's clarity limits, cue patterns, term lists and suggestion templates."""

    language: str
    version: str
    hyphenation: str
    sentence_words: int
    wall_words: int
    long_word_syllables: int
    long_word_ratio: float
    vague: re.Pattern[str]
    next_step: re.Pattern[str]
    explained: re.Pattern[str]
    negative_step: re.Pattern[str]
    positive_step: re.Pattern[str]
    temporal: re.Pattern[str]
    hedge: re.Pattern[str]
    not_prose: re.Pattern[str]
    stem_prefixes: tuple[str, ...]
    acronym_whitelist: frozenset[str]
    jargon: re.Pattern[str] | None
    jargon_terms: tuple[str, ...]
    stopwords: frozenset[str]
    suggestions: Mapping[str, str]


def load_rules(path: Path) -> ClarityRules:
    """Read and compile one language's clarity file; any mistake names the file and the key."""
    data = read_rules_file(path, "clarity rules")
    try:
        limits, cues, terms = data["limits"], data["cues"], data["terms"]
        jargon_terms = sorted(terms["jargon"], key=len, reverse=True)
        jargon = (compile_regex(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in jargon_terms) + r")\w{0,3}(?!\w)",
                           f"{path}: terms.jargon") if jargon_terms else None)
        suggestions = dict(data["suggestions"])
        for key in ("acronym", "vague", "hedged", "wall", "long_sentence", "contradiction", "unanswered",
                    "long_words"):
            if key not in suggestions:
                raise ModelError(f"{path}: suggestions.{key} is missing")
        return ClarityRules(
            language=data["language"], version=str(data["version"]), hyphenation=data["hyphenation"],
            sentence_words=int(limits["sentence_words"]), wall_words=int(limits["wall_words"]),
            long_word_syllables=int(limits["long_word_syllables"]), long_word_ratio=float(limits["long_word_ratio"]),
            vague=compile_regex(cues["vague"], f"{path}: cues.vague"),
            next_step=compile_regex(cues["next_step"], f"{path}: cues.next_step", re.IGNORECASE | re.MULTILINE),
            explained=compile_regex(cues["explained"], f"{path}: cues.explained"),
            negative_step=compile_regex(cues["negative_step"], f"{path}: cues.negative_step"),
            positive_step=compile_regex(cues["positive_step"], f"{path}: cues.positive_step"),
            temporal=compile_regex(cues["temporal"], f"{path}: cues.temporal"),
            hedge=compile_regex(cues["hedge"], f"{path}: cues.hedge"),
            not_prose=compile_regex(cues["not_prose"], f"{path}: cues.not_prose"),
            stem_prefixes=tuple(cues.get("stem_prefixes", [])),
            acronym_whitelist=frozenset(t.upper() for t in terms["acronym_whitelist"]),
            jargon=jargon, jargon_terms=tuple(t.lower() for t in jargon_terms),
            stopwords=frozenset(w.casefold() for w in terms["stopwords"]),
            suggestions=suggestions)
    except KeyError as e:
        raise ModelError(f"{path}: missing key {e}") from None


@dataclass(frozen=True)
class _Issue:
    rule: str
    score: float
    start: int
    end: int
    explanation: str
    suggestion: str | None


@lru_cache(maxsize=65536)
def _syllables(hyphenation: str, word: str) -> int:
    return len(_hyphenator(hyphenation).positions(word)) + 1


@lru_cache(maxsize=8)
def _hyphenator(hyphenation: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=hyphenation)


class ClarityDetector(RuleDetector[ClarityRules]):
    """Unclear replies in en, es, pl, ru, lv: unexplained terms, vague non-answers, walls of text and more."""

    name: ClassVar[str] = "clarity"
    version: ClassVar[str] = "1.2"
    labels: ClassVar[frozenset[str]] = frozenset({"unclear"})
    default_data_dir: ClassVar[Path] = DATA_DIR

    def read(self, path: Path) -> ClarityRules:
        """One language's clarity rules, compiled, with its hyphenation dictionary loaded."""
        rules = load_rules(path)
        _hyphenator(rules.hyphenation)
        return rules

    # --- one message -----------------------------------------------------------------------------
    def detect_one(self, a: Analysis, rules: ClarityRules) -> list[Finding]:
        """Clarity findings in one message."""
        words = list(_WORD.finditer(a.text))
        customer_words = _WORD.findall(a.customer)
        # links, placeholders and sign-off initials are not words the customer reads as prose: neither terms nor
        # lengths are counted inside them (the other rules still see them: a link is a next step)
        prose = _prose(a, rules)
        prose_words = words if prose is a else list(_WORD.finditer(prose.text))
        issues: list[_Issue] = []
        issues += self._terms(prose, rules, prose_words, customer_words)
        issues += self._vague(a, rules)
        issues += self._hedged(a, rules)
        issues += self._length(prose, rules, prose_words)
        issues += self._contradictions(a, rules)
        issues += self._unanswered(a, rules, words)
        issues += self._long_words(a, rules, words, customer_words)
        return self._findings(a, issues)

    def _terms(self, a: Analysis, rules: ClarityRules, words: list[re.Match[str]],
               customer_words: list[str]) -> list[_Issue]:
        """Acronyms and jargon the customer did not use and the reply does not explain (first use only)."""
        text = a.text
        customer_exact = set(customer_words)
        customer_folded = a.customer.casefold()
        found: list[tuple[int, int, str, str]] = []
        seen: set[str] = set()
        shouted = _caps_runs(words)
        addresses = _addresses(a)
        for i, m in enumerate(words):
            if addresses and _inside(m.start(), addresses):
                continue
            w = m.group(0)
            core = w[:-1] if len(w) > 3 and w.endswith("s") and w[:-1].isupper() else w
            uppers = sum(c.isupper() for c in core)
            # all capitals ("DNS", "IP68"), or mostly capitals with a lower-case letter ("DUoS", "IPv6")
            if not (2 <= len(core) <= 6 and core[0].isalpha() and uppers >= 2
                    and (core.isupper() or 2 * uppers > len(core))):
                continue
            key = core.upper()
            if key in seen or key in rules.acronym_whitelist or _ROMAN.fullmatch(core):
                continue
            seen.add(key)
            if i in shouted or core in customer_exact or w in customer_exact:
                continue
            if _explained(text, m.start(), m.end(), rules):
                continue
            found.append((m.start(), m.end(), core, "acronym"))
        lowered = text.lower()
        if rules.jargon is not None and any(term in lowered for term in rules.jargon_terms):
            for m in rules.jargon.finditer(text):
                term = m.group(0)
                key = term.casefold()
                stem = key[:max(4, len(key) - 3)]
                if (key in seen or stem in customer_folded or any(s < m.end() and m.start() < e for s, e, _, _ in found)
                        or (addresses and _inside(m.start(), addresses))):
                    continue
                seen.add(key)
                if _explained(text, m.start(), m.end(), rules):
                    continue
                found.append((m.start(), m.end(), term, "jargon"))
        if not found:
            return []
        score = min(0.85, 1.0 - (1.0 - TERM_BASE) ** len(found))
        issues = []
        for start, end, term, kind in sorted(found):
            what = "the acronym" if kind == "acronym" else "the technical term"
            issues.append(_Issue(
                f"clarity.{kind}", score, start, end,
                f"Uses {what} '{term}' without explaining it (the customer did not use it)",
                rules.suggestions["acronym"].format(term=term)))
        return issues

    @staticmethod
    def _vague(a: Analysis, rules: ClarityRules) -> list[_Issue]:
        """A vague non-answer ("we are looking into it") with no next step, date or instruction anywhere."""
        matches = list(rules.vague.finditer(a.text))
        if not matches or rules.next_step.search(a.text):
            return []
        first = matches[0]
        sentence = sentence_at(a.sentences, first.start(), a.text)
        score = min(0.85, VAGUE_SCORE + 0.05 * (len(matches) - 1))
        return [_Issue("clarity.vague", score, sentence.start, sentence.end,
                       f"Vague non-answer with no next step or date ('{clip(first.group(0))}')",
                       rules.suggestions["vague"])]

    @staticmethod
    def _hedged(a: Analysis, rules: ClarityRules) -> list[_Issue]:
        """An answer wrapped in conditions ("may", "depending on", "subject to") instead of a definite one."""
        hedges = list(rules.hedge.finditer(a.text))
        if not hedges:
            return []
        concrete = rules.next_step.search(a.text) is not None
        if len(hedges) >= 2:
            score = WEAK_HEDGED_SCORE if concrete else HEDGED_SCORE
        elif not concrete:
            score = WEAK_HEDGED_SCORE
        else:
            return []
        sentence = sentence_at(a.sentences, hedges[0].start(), a.text)
        quoted = ", ".join(f"'{clip(h.group(0), 30)}'" for h in hedges[:3])
        return [_Issue("clarity.hedged", score, sentence.start, sentence.end,
                       f"Hedged answer ({quoted}) with no definite answer or next step", rules.suggestions["hedged"])]

    @staticmethod
    def _length(a: Analysis, rules: ClarityRules, words: list[re.Match[str]]) -> list[_Issue]:
        """A wall of text (one long block, no paragraphs or list) and very long sentences."""
        issues = []
        n = len(words)
        if n >= rules.wall_words and "\n\n" not in a.text.strip() and not _LIST_LINE.search(a.text):
            score = min(0.85, 0.55 + 0.1 * (n - rules.wall_words) / 50)
            issues.append(_Issue("clarity.wall_of_text", score, 0, len(a.text.rstrip()),
                                 f"Wall of text: {n} words in one block, with no paragraphs or steps",
                                 rules.suggestions["wall"]))
        for s in a.sentences:
            count = len(_WORD.findall(s.text))
            if count > rules.sentence_words:
                score = min(0.75, 0.4 + 0.01 * (count - rules.sentence_words))
                issues.append(_Issue("clarity.long_sentence", score, s.start, s.end,
                                     f"Very long sentence ({count} words)", rules.suggestions["long_sentence"]))
        return issues

    @staticmethod
    def _contradictions(a: Analysis, rules: ClarityRules) -> list[_Issue]:
        """Steps that say to do something and not to do it, without a 'until/before' that reconciles them."""
        negatives: list[tuple[Sentence, str]] = []
        positives: list[tuple[Sentence, str]] = []
        for s in a.sentences:
            neg = rules.negative_step.search(s.text)
            if neg and not rules.temporal.search(s.text):
                negatives.append((s, _stem(neg.group("verb"), rules)))
            pos = rules.positive_step.search(s.text)
            if pos and (neg is None or pos.start("verb") < neg.start()):
                positives.append((s, pos.group("verb")))
        issues = []
        for neg_s, neg_stem in negatives:
            other = next(((p, verb) for p, verb in positives if _stem(verb, rules) == neg_stem), None)
            if other is None:
                continue
            issues.append(_Issue("clarity.contradictory_steps", CONTRADICTION_SCORE, neg_s.start, neg_s.end,
                                 f"Contradictory steps: '{clip(neg_s.text, 60)}' conflicts with "
                                 f"'{clip(other[0].text, 60)}'",
                                 rules.suggestions["contradiction"].format(verb=other[1].lower())))
        return issues

    @staticmethod
    def _unanswered(a: Analysis, rules: ClarityRules, words: list[re.Match[str]]) -> list[_Issue]:
        """The customer asked a question and the reply shares none of its key words."""
        if not a.customer.strip() or len(words) < MIN_WORDS_FOR_ANSWER:
            return []
        questions = [s.text for s in segment(a.customer, a.language) if "?" in s.text]
        if not questions:
            return []
        asked = {_overlap_stem(w) for q in questions for w in _WORD.findall(q) if _content(w, rules)}
        if not asked:
            return []
        replied = {_overlap_stem(m.group(0)) for m in words if _content(m.group(0), rules)}
        if asked & replied:
            return []
        target = next((s for s in a.sentences if len(_WORD.findall(s.text)) >= 4), None)
        start, end = (target.start, target.end) if target else (0, len(a.text.rstrip()))
        question = clip(questions[-1], 70)
        return [_Issue("clarity.unanswered_question", UNANSWERED_SCORE, start, end,
                       f"May not answer the customer's question ('{question}'): the reply shares none of its "
                       f"key words", rules.suggestions["unanswered"].format(question=question))]

    @staticmethod
    def _long_words(a: Analysis, rules: ClarityRules, words: list[re.Match[str]],
                    customer_words: list[str]) -> list[_Issue]:
        """Long words far above both the language's norm and the customer's own level."""
        if len(words) < MIN_WORDS_FOR_DENSITY:
            return []
        long_hits = [m for m in words if _is_long(m.group(0), rules)]
        ratio = len(long_hits) / len(words)
        customer_ratio = (sum(_is_long(w, rules) for w in customer_words) / len(customer_words)
                          if customer_words else 0.0)
        if ratio <= rules.long_word_ratio or ratio <= 2 * customer_ratio:
            return []
        per_sentence: dict[Sentence, int] = {}
        for m in long_hits:
            s = sentence_at(a.sentences, m.start(), a.text)
            per_sentence[s] = per_sentence.get(s, 0) + 1
        worst = max(per_sentence, key=lambda s: per_sentence[s])
        score = min(0.45, 0.3 + 2 * (ratio - rules.long_word_ratio))
        return [_Issue("clarity.long_words", score, worst.start, worst.end,
                       f"Many long words ({ratio:.0%} of words; {customer_ratio:.0%} in the customer's message)",
                       rules.suggestions["long_words"])]

    def _findings(self, a: Analysis, issues: list[_Issue]) -> list[Finding]:
        findings = []
        for i, issue in enumerate(issues):
            score = combine(issue.score, (BOOST * other.score for j, other in enumerate(issues)
                                          if j != i and other.rule != issue.rule), MAX_SCORE)
            findings.append(Finding(
                message_id=a.message_id, label="unclear", score=score, start=issue.start, end=issue.end,
                detector=self.name, detector_version=self.version, explanation=issue.explanation,
                suggestion=issue.suggestion, rule=f"{a.language}/{issue.rule}", evidence=a.text[issue.start:issue.end]))
        return findings


def _prose(a: Analysis, rules: ClarityRules) -> Analysis:
    """The analysis with what `cues.not_prose` matches blanked out, offsets unchanged."""
    text = rules.not_prose.sub(lambda m: " " * len(m.group(0)), a.text)
    if text == a.text:
        return a
    return replace(a, text=text, sentences=tuple(Sentence(s.start, s.end, text[s.start:s.end]) for s in a.sentences))


def _explained(text: str, start: int, end: int, rules: ClarityRules) -> bool:
    """A term is explained when a gloss follows it ("DNS (the address book...)", "DNS, i.e. ...") or it is the
    short form given after its long form ("Domain Name System (DNS)")."""
    after = text[end:end + 40].lstrip()
    if after and rules.explained.match(after):
        return True
    before = text[max(0, start - 2):start]
    if "(" in before:
        preceding = text[max(0, start - 60):start - 1]
        return len(_WORD.findall(preceding)) >= 2
    return False


def _addresses(a: Analysis) -> list[tuple[int, int]]:
    """Spans of the URLs and e-mail addresses in the text: their parts ("/API/", "SUPPORT-EU@") are not terms."""
    return [(t.idx, t.idx + len(t)) for t in doc_of(a) if t.like_url or t.like_email]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _caps_runs(words: list[re.Match[str]]) -> set[int]:
    """Indices of words inside runs of three or more capitalised words (shouting, headings), which are not
    acronyms even when short."""
    inside: set[int] = set()
    run: list[int] = []
    for i, m in enumerate([*words, None]):
        w = m.group(0) if m is not None else ""
        if w.isupper() and w.isalpha():
            run.append(i)
            continue
        if len(run) >= 3 and sum(len(words[j].group(0)) >= 4 for j in run) >= 2:
            inside.update(run)
        run = []
    return inside


def _stem(verb: str, rules: ClarityRules) -> str:
    v = verb.casefold()
    for p in rules.stem_prefixes:
        if v.startswith(p) and len(v) - len(p) >= 6:
            v = v[len(p):]
            break
    return v[:6]


def _content(word: str, rules: ClarityRules) -> bool:
    # contractions ("can't", "don't") carry no topic
    return len(word) >= 4 and word.isalpha() and word.casefold() not in rules.stopwords


def _overlap_stem(word: str) -> str:
    return word.casefold()[:STEM_CHARS]


def _is_long(word: str, rules: ClarityRules) -> bool:
    return (len(word) >= MIN_LONG_WORD_CHARS and word.isalpha()
            and _syllables(rules.hyphenation, word.casefold()) >= rules.long_word_syllables)
