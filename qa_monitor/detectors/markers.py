"""Explainable marker detector: named, weighted phrase patterns per language for rude and condescending replies.

Patterns live in versioned data files, `markers/<lang>.toml`. Each pattern is named, so a finding can say in plain
words why it fired, and carries a suggestion in the message's language. A match is dropped when a negation
precedes it ("this is *not* your fault"), when it sits inside a quotation of the customer's words ("you wrote
'this is useless'"), or when the sentence blames the company itself ("a stupid mistake on our side").
Several markers in one message raise each other's score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from qa_monitor.detectors.literals import required_literals
from qa_monitor.detectors.rules import RuleDetector, clip, combine, compile_regex, read_rules_file, sentence_at
from qa_monitor.errors import ModelError
from qa_monitor.nlp.analysis import Analysis, Sentence
from qa_monitor.records import Finding, Label

DATA_DIR = Path(__file__).with_name("markers")
NEGATION_WINDOW = 28      # characters before a match searched for a negation cue
REPORTING_WINDOW = 40     # characters before a quotation searched for "you wrote"
QUOTE_MIN_WORDS = 4       # a quotation this long is someone's words, not scare quotes
SAME_LABEL_BOOST = 0.35   # how much each further marker of the same label adds (noisy-or, damped)
OTHER_LABEL_BOOST = 0.15  # rude and condescending markers in one message reinforce each other a little
MAX_SCORE = 0.99
SENTENCE_START = r"(?:^|(?<=[.!?\n]))\s*"   # a data-file regex starting with this only matches at a sentence start
SHOUTING = "shouting"
HOSTILE_NOTE = "; the customer's message was hostile too, which does not excuse it"
SHOUTING_WEIGHT = 0.6

_QUOTES = re.compile(r"\"([^\"\n]{1,400})\"|“([^”\n]{1,400})”|„([^“”\n]{1,400})[“”]|«([^»\n]{1,400})»"
                     r"|‘([^’\n]{1,400})’|(?<!\w)'([^'\n]{1,400})'(?!\w)")
_WORD = re.compile(r"\w+")
# capitals of the five alphabets, plus Latin Extended-A whose lower-case letters it also counts: a cheap upper bound
_CAPITAL = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ]")


@dataclass(frozen=True)
class Pattern:
    """One named marker: what it matches, what it means and how to say it better."""

    name: str
    label: Label
    weight: float
    title: str
    regex: re.Pattern[str]
    suggestion: str | None
    replace: str | None
    negatable: bool
    unless: re.Pattern[str] | None
    self_exempt: bool
    anchors: frozenset[str] | None = None   # lower-cased words one of which every match contains
    sentence_start: bool = False             # the regex is tried only where a sentence begins


@dataclass(frozen=True)
class Lexicon:
    """One language's markers and the cues used to discard false matches."""

    language: str
    version: str
    patterns: tuple[Pattern, ...]
    negation: re.Pattern[str]
    self_blame: re.Pattern[str]
    reporting: re.Pattern[str]
    shouting: Pattern
    fallback_suggestion: str
    customer_hostile: re.Pattern[str]


def load_lexicon(path: Path) -> Lexicon:
    """Read and compile one language's marker file; any mistake names the file and the pattern."""
    data = read_rules_file(path, "marker file")
    try:
        cues = data["cues"]
        patterns = []
        seen: set[str] = set()
        for i, p in enumerate(data["pattern"]):
            where = f"{path}: pattern {i} ({p.get('name', '?')})"
            if p["name"] in seen:
                raise ModelError(f"{where}: duplicate name")
            seen.add(p["name"])
            if p["label"] not in ("rude", "condescending", "unclear"):
                raise ModelError(f"{where}: label must be rude, condescending or unclear")
            weight = float(p["weight"])
            if not 0.0 < weight <= 1.0:
                raise ModelError(f"{where}: weight must be in (0, 1]")
            if "suggestion" not in p and "replace" not in p:
                raise ModelError(f"{where}: needs a 'suggestion' or a 'replace'")
            source = p["regex"]
            at_start = source.startswith(SENTENCE_START)
            if at_start:
                # scanning every position for a sentence start is slow; matching at each sentence is not
                source = source[len(SENTENCE_START):]
            patterns.append(Pattern(
                name=p["name"], label=p["label"], weight=weight, title=p["title"],
                regex=compile_regex(source, where, 0 if p.get("case_sensitive", False) else re.IGNORECASE),
                sentence_start=at_start,
                suggestion=p.get("suggestion"), replace=p.get("replace"),
                negatable=bool(p.get("negatable", False)),
                unless=compile_regex(p["unless"], where) if p.get("unless") else None,
                self_exempt=bool(p.get("self_exempt", False))))
        patterns = [replace(p, anchors=required_literals(p.regex)) for p in patterns]
        return Lexicon(language=data["language"], version=str(data["version"]), patterns=tuple(patterns),
                       negation=compile_regex(cues["negation"], f"{path}: cues.negation"),
                       self_blame=compile_regex(cues["self_blame"], f"{path}: cues.self_blame"),
                       reporting=compile_regex(cues["reporting"], f"{path}: cues.reporting"),
                       shouting=Pattern(SHOUTING, "rude", SHOUTING_WEIGHT, "Shouts at the customer in capital letters",
                                        re.compile(SHOUTING), cues["shouting_suggestion"], None, False, None, False),
                       fallback_suggestion=cues["fallback_suggestion"],
                       customer_hostile=compile_regex(cues["customer_hostile"], f"{path}: cues.customer_hostile"))
    except KeyError as e:
        raise ModelError(f"{path}: missing key {e}") from None


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    start: int
    end: int
    sentence: Sentence


def _strongest_per_span(hits: list[_Hit]) -> list[_Hit]:
    """Overlapping hits of one label are one piece of evidence: keep the strongest pattern's."""
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (-h.pattern.weight, h.start)):
        if not any(k.pattern.label == h.pattern.label and k.start < h.end and h.start < k.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def rewrite(sentence: Sentence, start: int, end: int, replacement: str) -> str:
    """The sentence with text[start:end] replaced, tidied (spaces, stray commas, capital first letter)."""
    s = sentence.text
    a, b = start - sentence.start, end - sentence.start
    out = s[:a] + replacement + s[b:]
    out = re.sub(r"\s+([,.;:!?])", r"\1", out)
    out = re.sub(r"^[\s,;:—–-]+", "", out)
    out = re.sub(r"([,;:])\s*([,.;:!?])", r"\2", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    if out[:1].islower() and (a == 0 or not s[:a].strip()):
        out = out[0].upper() + out[1:]
    return out


class MarkerDetector(RuleDetector[Lexicon]):
    """Rude and condescending markers per language (en, es, pl, ru, lv), each finding citing its pattern."""

    name: ClassVar[str] = "markers"
    version: ClassVar[str] = "1.1"
    labels: ClassVar[frozenset[str]] = frozenset({"rude", "condescending"})
    default_data_dir: ClassVar[Path] = DATA_DIR

    @property
    def lexicons(self) -> dict[str, Lexicon]:
        """Each loaded language's markers."""
        return self.by_language

    def read(self, path: Path) -> Lexicon:
        """One language's marker file, compiled."""
        return load_lexicon(path)

    # --- one message -----------------------------------------------------------------------------
    def detect_one(self, a: Analysis, lexicon: Lexicon) -> list[Finding]:
        """Marker findings in one message."""
        text = a.text
        quotes = self._customer_quotes(a, lexicon)
        lowered = text.lower()
        hits: list[_Hit] = []
        for p in lexicon.patterns:
            if p.anchors is not None and not any(w in lowered for w in p.anchors):
                continue  # cannot match: skips a full regex scan of the text
            matches = ([m for s in a.sentences if (m := p.regex.match(text, s.start))] if p.sentence_start
                       else p.regex.finditer(text))
            for m in matches:
                start, end = m.span("hit") if "hit" in p.regex.groupindex else (-1, -1)
                if start < 0:  # the alternative that matched has no "hit" group
                    start, end = m.span()
                if start == end:
                    continue
                sentence = sentence_at(a.sentences, start, text)
                if self._discarded(p, start, end, sentence, text, lexicon, quotes):
                    continue
                hits.append(_Hit(p, start, end, sentence))
        hits += self._shouting(a, lexicon, quotes)
        return self._findings(a, _strongest_per_span(hits))

    @staticmethod
    def _customer_quotes(a: Analysis, lexicon: Lexicon) -> list[tuple[int, int]]:
        """Quotations that repeat someone's words: found in the customer's turn, introduced by "you wrote",
        or long enough to be a citation rather than scare quotes."""
        spans = []
        customer: str | None = None
        for m in _QUOTES.finditer(a.text):
            group = next(g for g in range(1, 7) if m.group(g) is not None)
            inner = m.group(group)
            words = _WORD.findall(inner)
            before = a.text[max(0, m.start() - REPORTING_WINDOW):m.start()]
            folded = _fold(inner)
            if customer is None:
                customer = _fold(a.customer)
            if (len(words) >= QUOTE_MIN_WORDS or (folded and customer and folded in customer)
                    or lexicon.reporting.search(before)):
                spans.append(m.span(group))
        return spans

    @staticmethod
    def _discarded(p: Pattern, start: int, end: int, sentence: Sentence, text: str, lexicon: Lexicon,
                   quotes: list[tuple[int, int]]) -> bool:
        if any(qs <= start and end <= qe for qs, qe in quotes):
            return True
        if p.negatable:
            window = text[max(sentence.start, start - NEGATION_WINDOW):start]
            if lexicon.negation.search(window):
                return True
        if p.self_exempt and lexicon.self_blame.search(sentence.text):
            return True
        return bool(p.unless and p.unless.search(sentence.text))

    @staticmethod
    def _shouting(a: Analysis, lexicon: Lexicon, quotes: list[tuple[int, int]]) -> list[_Hit]:
        """Runs of three or more words in capitals (not a row of acronyms), unless the whole message is in
        capitals (a habit or a transcription) or the run is quoted."""
        if len(_CAPITAL.findall(a.text)) < 8:
            return []  # too few capitals for three shouted words: skip the word-by-word pass
        letters = [c for c in a.text if c.isalpha()]
        if sum(c.isupper() for c in letters) > 0.8 * len(letters):
            return []
        runs: list[list[re.Match[str]]] = [[]]
        for m in _WORD.finditer(a.text):
            word = m.group(0)
            current = runs[-1]
            joined = not current or "\n" not in a.text[current[-1].end():m.start()]
            capital = word.isupper() and word.isalpha()
            if capital and joined:
                current.append(m)
            elif current:
                runs.append([m] if capital else [])
        hits = []
        for run in runs:
            if sum(len(m.group(0)) >= 2 for m in run) < 3 or sum(len(m.group(0)) >= 4 for m in run) < 2:
                continue
            start, end = run[0].start(), run[-1].end()
            if any(qs <= start and end <= qe for qs, qe in quotes):
                continue
            hits.append(_Hit(lexicon.shouting, start, end, sentence_at(a.sentences, start, a.text)))
        return hits

    def _findings(self, a: Analysis, hits: list[_Hit]) -> list[Finding]:
        lexicon = self.lexicons[a.language]
        # shown to the manager, never used to lower the score: a hostile customer does not excuse the reply
        context = HOSTILE_NOTE if hits and _hostile(a.customer, lexicon) else ""
        findings = []
        for i, h in enumerate(hits):
            boosts = ((SAME_LABEL_BOOST if other.pattern.label == h.pattern.label else OTHER_LABEL_BOOST)
                      * other.pattern.weight
                      for j, other in enumerate(hits) if j != i and (other.start, other.end) != (h.start, h.end))
            score = combine(h.pattern.weight, boosts, MAX_SCORE)
            evidence = a.text[h.start:h.end]
            findings.append(Finding(
                message_id=a.message_id, label=h.pattern.label, score=score, start=h.start, end=h.end,
                detector=self.name, detector_version=self.version,
                explanation=f"{h.pattern.title} ('{clip(evidence)}'){context}",
                suggestion=self._suggestion(h, a.text, lexicon), rule=f"{a.language}/{h.pattern.name}",
                evidence=evidence))
        return findings

    @staticmethod
    def _suggestion(h: _Hit, text: str, lexicon: Lexicon) -> str | None:
        p = h.pattern
        if p.name == SHOUTING:
            cased = _sentence_case(text[h.start:h.end], h.start, h.sentence, lexicon.language)
            rewritten = rewrite(h.sentence, h.start, h.end, cased)
        elif p.replace is not None:
            rewritten = rewrite(h.sentence, h.start, h.end, p.replace)
            if len(_WORD.findall(rewritten)) < 2:
                # the whole sentence was the reproach: nothing is left to keep
                return lexicon.fallback_suggestion
        else:
            rewritten = ""
        if p.suggestion is None:
            return rewritten or None
        return p.suggestion.format(rewrite=rewritten, match=text[h.start:h.end])


def _hostile(customer: str, lexicon: Lexicon) -> bool:
    """True when the customer's turn is abusive or shouted."""
    if not customer:
        return False
    letters = [c for c in customer if c.isalpha()]
    shouted = len(letters) >= 20 and sum(c.isupper() for c in letters) > 0.7 * len(letters)
    return shouted or lexicon.customer_hostile.search(customer) is not None


def _sentence_case(run: str, start: int, sentence: Sentence, language: str) -> str:
    lowered = run.lower()
    if language == "en":
        lowered = re.sub(r"\bi\b", "I", lowered)
    return lowered[:1].upper() + lowered[1:] if start == sentence.start else lowered
