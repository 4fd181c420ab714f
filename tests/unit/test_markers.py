"""Marker detector: (text, label, span) cases per language, hard negatives, scoring and data-file checks."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from qa_monitor.detectors.markers import MarkerDetector
from qa_monitor.errors import ModelError
from tests.support.scoring import analysis, flagged


@pytest.fixture(scope="module")
def detector() -> MarkerDetector:
    d = MarkerDetector()
    d.load()
    return d


# (language, agent text, label, exact evidence span, rule)
POSITIVES = [
    # English
    ("en", "Not our problem.", "rude", "Not our problem", "not_our_problem"),
    ("en", "Read the FAQ.", "rude", "Read the FAQ", "read_the_faq"),
    ("en", "Deal with it.", "rude", "Deal with it", "deal_with_it"),
    ("en", "Whatever.", "rude", "Whatever", "whatever"),
    ("en", "Okay sweetie, try again.", "rude", "sweetie", "pet_name"),
    ("en", "Calm down, please. We are checking.", "rude", "Calm down", "calm_down"),
    ("en", "We will close your account if this goes on.", "rude", "We will close your account",
     "threat_close_account"),
    ("en", "If you keep complaining like this we will block the account.", "rude",
     "If you keep complaining like this we will block", "threat_if_you_continue"),
    ("en", "Good luck with that.", "rude", "Good luck with that", "sarcasm"),
    ("en", "Thanks. PLEASE STOP SENDING THE SAME REQUEST over and over.", "rude",
     "PLEASE STOP SENDING THE SAME REQUEST", "shouting"),
    ("en", "This is entirely your fault.", "rude", "This is entirely your fault", "your_fault"),
    ("en", "As I already explained twice, you need to restart the router.", "condescending",
     "As I already explained twice,", "explained_repeatedly"),
    ("en", "Obviously you need to log in first.", "condescending", "Obviously", "obviously"),
    ("en", "It's really not that hard.", "condescending", "It's really not that hard", "not_hard"),
    ("en", "Any child could do this.", "condescending", "Any child could", "any_child"),
    ("en", "Did you even read my previous email?", "condescending", "Did you even read", "did_you_even_read"),
    ("en", "Let me explain it slowly.", "condescending", "Let me explain it slowly", "explain_slowly"),
    ("en", "You should have known that the plan renews.", "condescending", "You should have known",
     "should_have_known"),
    ("en", "As stated clearly in our terms, refunds take 14 days.", "condescending", "As stated clearly",
     "stated_clearly"),
    ("en", "How many times do I have to say it?", "condescending", "How many times do I", "how_many_times"),
    # Spanish
    ("es", "No es nuestro problema.", "rude", "No es nuestro problema", "no_es_nuestro_problema"),
    ("es", "Lea las preguntas frecuentes.", "rude", "Lea las preguntas frecuentes", "lea_las_faq"),
    ("es", "Es lo que hay.", "rude", "Es lo que hay", "es_lo_que_hay"),
    ("es", "Vale, cariño, inténtelo otra vez.", "rude", "cariño", "apelativo_carinoso"),
    ("es", "Cálmese, por favor.", "rude", "Cálmese", "calmese"),
    ("es", "Si sigue quejándose así, cerraremos su cuenta.", "rude", "Si sigue quejándose así, cerraremos",
     "amenaza_si_sigue"),
    ("es", "Como ya le he explicado dos veces, tiene que reiniciar el router.", "condescending",
     "Como ya le he explicado dos veces,", "explicado_varias_veces"),
    ("es", "Obviamente tiene que iniciar sesión primero.", "condescending", "Obviamente", "obviamente"),
    ("es", "No es tan difícil.", "condescending", "No es tan difícil", "no_es_tan_dificil"),
    ("es", "Cualquier niño podría hacerlo.", "condescending", "Cualquier niño podría", "cualquier_nino"),
    ("es", "¿Ha leído siquiera mi correo?", "condescending", "Ha leído siquiera", "ha_leido_siquiera"),
    ("es", "Se lo explico despacio.", "condescending", "Se lo explico despacio", "explicar_despacio"),
    ("es", "Te lo he dicho tres veces.", "condescending", "Te lo he dicho tres veces.", "explicado_varias_veces"),
    # Polish
    ("pl", "To nie nasz problem.", "rude", "To nie nasz problem", "nie_nasz_problem"),
    ("pl", "Proszę przeczytać FAQ.", "rude", "Proszę przeczytać FAQ", "przeczytaj_faq"),
    ("pl", "Trudno, taki los.", "rude", "Trudno, taki los", "trudno_taki_los"),
    ("pl", "Dobrze, kochanie, proszę spróbować jeszcze raz.", "rude", "kochanie", "zdrobnienie"),
    ("pl", "Proszę się uspokoić.", "rude", "Proszę się uspokoić", "uspokoj_sie"),
    ("pl", "Jeśli nadal będzie Pan pisał w tym tonie, zablokujemy konto.", "rude",
     "Jeśli nadal będzie Pan pisał w tym tonie, zablokujemy", "grozba_jesli_dalej"),
    ("pl", "Jak już dwa razy tłumaczyłem, trzeba zrestartować router.", "condescending",
     "Jak już dwa razy tłumaczyłem,", "tlumaczylem_wielokrotnie"),
    ("pl", "Tłumaczyłam to Pani już trzy razy.", "condescending", "Tłumaczyłam to Pani już trzy razy",
     "tlumaczylem_wielokrotnie"),
    ("pl", "Oczywiście najpierw trzeba się zalogować.", "condescending", "Oczywiście", "oczywiscie_trzeba"),
    ("pl", "To naprawdę nie jest trudne.", "condescending", "To naprawdę nie jest trudne", "to_nie_jest_trudne"),
    ("pl", "Każde dziecko by to potrafiło.", "condescending", "Każde dziecko by to potrafiło", "kazde_dziecko"),
    ("pl", "Czy Pan w ogóle przeczytał instrukcję?", "condescending", "Czy Pan w ogóle przeczytał",
     "czy_pan_w_ogole_czytal"),
    ("pl", "Wytłumaczę to Panu powoli.", "condescending", "Wytłumaczę to Panu powoli", "wytlumacze_powoli"),
    # Russian
    ("ru", "Это не наша проблема.", "rude", "Это не наша проблема", "ne_nasha_problema"),
    ("ru", "Читайте инструкцию.", "rude", "Читайте инструкцию", "chitaite_instrukciyu"),
    ("ru", "Смиритесь.", "rude", "Смиритесь", "smirites"),
    ("ru", "Хорошо, милочка, попробуйте ещё раз.", "rude", "милочка", "famil_obrashchenie"),
    ("ru", "Успокойтесь, пожалуйста.", "rude", "Успокойтесь", "uspokoytes"),
    ("ru", "Если вы продолжите писать в таком тоне, мы заблокируем аккаунт.", "rude",
     "Если вы продолжите писать в таком тоне, мы заблокируем", "ugroza_esli"),
    ("ru", "Как я уже два раза объяснял, нужно перезагрузить роутер.", "condescending",
     "Как я уже два раза объяснял,", "obyasnyal_mnogo_raz"),
    ("ru", "Очевидно, вам сначала нужно войти.", "condescending", "Очевидно,", "ochevidno"),
    ("ru", "Это не так уж сложно.", "condescending", "Это не так уж сложно", "ne_slozhno"),
    ("ru", "Любой ребёнок справится.", "condescending", "Любой ребёнок справится", "lyuboy_rebenok"),
    ("ru", "Вы вообще читали моё письмо?", "condescending", "Вы вообще читали", "vy_voobshche_chitali"),
    ("ru", "Сколько можно повторять?", "condescending", "Сколько можно", "skolko_mozhno"),
    ("ru", "Объяснила вам уже три раза.", "condescending", "Объяснила вам уже три раза", "obyasnyal_mnogo_raz"),
    # Latvian
    ("lv", "Tā nav mūsu problēma.", "rude", "Tā nav mūsu problēma", "nav_musu_problema"),
    ("lv", "Izlasiet BUJ.", "rude", "Izlasiet BUJ", "lasiet_buj"),
    ("lv", "Samierinieties.", "rude", "Samierinieties", "samierinieties"),
    ("lv", "Labi, mīļā, mēģiniet vēlreiz.", "rude", "mīļā", "mili_vardi"),
    ("lv", "Nomierinieties, lūdzu.", "rude", "Nomierinieties", "nomierinieties"),
    ("lv", "Ja jūs turpināsiet rakstīt šādā tonī, mēs bloķēsim jūsu kontu.", "rude",
     "Ja jūs turpināsiet rakstīt šādā tonī, mēs bloķēsim", "draudi_ja_turpinasiet"),
    ("lv", "Kā jau divas reizes skaidroju, jums jārestartē maršrutētājs.", "condescending",
     "Kā jau divas reizes skaidroju,", "skaidroju_vairakkart"),
    ("lv", "Acīmredzot jums vispirms jāpieslēdzas.", "condescending", "Acīmredzot", "acimredzot"),
    ("lv", "Jebkurš bērns to spētu.", "condescending", "Jebkurš bērns to spētu", "jebkurs_berns"),
    ("lv", "Vai jūs vispār izlasījāt manu vēstuli?", "condescending", "Vai jūs vispār izlasījāt",
     "vai_vispar_izlasijat"),
    ("lv", "Paskaidrošu jums lēnām.", "condescending", "Paskaidrošu jums lēnām", "paskaidrosu_lenam"),
    ("lv", "Cik reizes man jāatkārto?", "condescending", "Cik reizes man jāatkārto", "cik_reizes"),
    # broader families: futility lectures, non-answers, insults, laughter, sarcasm
    ("en", "Asking every day won't speed it up.", "rude", "Asking every day won't speed", "futility_lecture"),
    ("en", "It arrives when it arrives.", "rude", "arrives when it arrives", "tautology_dismissal"),
    ("en", "LOL, that is not how waterproof works.", "rude", "LOL", "laughs_at_customer"),
    ("en", "What's wrong with you?", "rude", "What's wrong with you", "what_is_wrong_with_you"),
    ("es", "Llegarán cuando lleguen.", "rude", "Llegarán cuando lleguen", "llegara_cuando_llegue"),
    ("es", "A ver si lo adivino: tiene el modo avión puesto.", "rude", "A ver si lo adivino", "a_ver_si_lo_adivino"),
    ("es", "Cállese y espere su turno.", "rude", "Cállese", "insulto_palabra"),
    ("pl", "Rozpatrzymy, jak rozpatrzymy.", "rude", "Rozpatrzymy, jak rozpatrzymy", "tyle_w_temacie"),
    ("pl", "Trzeba było się pospieszyć.", "condescending", "Trzeba było", "trzeba_bylo"),
    ("pl", "Co z Panem nie tak?", "rude", "Co z Panem nie tak", "co_z_panem_nie_tak"),
    ("ru", "Привезут, когда привезут.", "rude", "Привезут, когда привезут", "privezut_kogda_privezut"),
    ("ru", "Дайте угадаю: роутер стоит в шкафу?", "rude", "Дайте угадаю", "dayte_ugadayu"),
    ("ru", "Не будьте ребёнком.", "rude", "Не будьте ребёнком", "oskorbitelnoe_slovo"),
    ("lv", "Izskatīsim, kad izskatīsim.", "rude", "Izskatīsim, kad izskatīsim", "izskatisim_kad_izskatisim"),
    ("lv", "Ļaujiet uzminēt: rūteris stāv skapī?", "rude", "Ļaujiet uzminēt", "laujiet_uzminet"),
    ("lv", "Kā jūs uzdrošināties?", "rude", "Kā jūs uzdrošināties", "kas_ar_jums_nav_kartiba"),
    ("es", "La próxima vez, lea las condiciones antes de contratar.", "condescending", "La próxima vez, lea",
     "la_proxima_vez"),
    ("pl", "Dziwię się, że Pan nie wiedział o limicie.", "condescending", "Dziwię się, że Pan nie",
     "naprawde_pan_myslal"),
    ("ru", "Вы правда думали, что договор можно просто так расторгнуть?", "condescending", "Вы правда думали",
     "vy_pravda_dumali"),
    ("lv", "Nākamreiz lasiet noteikumus pirms pirkuma.", "condescending", "Nākamreiz lasiet", "nakamreiz"),
]

# (language, agent text, customer's turn, label that must NOT be flagged)
HARD_NEGATIVES = [
    # "keep up with" information is not "keep up!" (a real airline reply)
    ("en", "To keep up with your flight information, go onto our website. We look forward to welcoming you soon!",
     "", "condescending"),
    # apologies that contain strong words
    ("en", "Sorry, that was a stupid mistake on our side.", "", "rude"),
    ("en", "Sorry, that was our fault, we will fix it today.", "", "rude"),
    ("es", "Perdone, fue un error tonto por nuestra parte.", "", "rude"),
    ("pl", "Przepraszam, to był głupi błąd po naszej stronie.", "", "rude"),
    ("ru", "Извините, это глупая ошибка с нашей стороны.", "", "rude"),
    ("lv", "Atvainojiet, tā bija stulba kļūda no mūsu puses.", "", "rude"),
    # quoting the customer's words back
    ("en", 'You wrote "this is useless, deal with it yourselves" and I understand why.',
     "This is useless, deal with it yourselves!", "rude"),
    ("es", "Usted escribió «es lo que hay» y entiendo su enfado.", "Es lo que hay, ¿no?", "rude"),
    ("pl", "Napisał Pan „to nie mój problem” i rozumiem dlaczego.", "To nie mój problem!", "rude"),
    ("ru", "Вы написали «это не наша проблема», и я понимаю почему.", "Это не наша проблема?", "rude"),
    ("lv", "Jūs rakstījāt “tā nav mūsu problēma”, un es saprotu, kāpēc.", "", "rude"),
    # firm but polite refusals
    ("en", "I'm afraid we can't refund this, but here's what I can do: a credit for next month.", "", "rude"),
    ("en", "Unfortunately there is nothing we can do about the fee, but I can waive the next one.", "", "rude"),
    ("es", "Me temo que no podemos reembolsarlo, pero esto es lo que sí puedo hacer: un crédito.", "", "rude"),
    ("pl", "Obawiam się, że nie możemy zwrócić pieniędzy, ale mogę zaproponować rabat.", "", "rude"),
    ("ru", "Боюсь, мы не можем вернуть деньги, но могу предложить скидку.", "", "rude"),
    ("lv", "Baidos, ka nevaram atmaksāt naudu, bet varu piedāvāt atlaidi.", "", "rude"),
    ("en", 'I\'m sorry. You were told it was "not our problem", and that was wrong.', "", "rude"),
    # negation
    ("en", "It's not your fault at all, the update broke it.", "", "rude"),
    ("en", "This is not obvious, so here is a screenshot.", "", "condescending"),
    ("es", "No es su culpa, la actualización lo rompió.", "", "rude"),
    ("pl", "To nie jest Pana wina, aktualizacja to zepsuła.", "", "rude"),
    ("ru", "Это не ваша вина, обновление всё сломало.", "", "rude"),
    ("lv", "Tā nav jūsu vaina, atjauninājums visu sabojāja.", "", "rude"),
    # polite phrases that share words with markers
    ("en", "Please read the FAQ section 3 (link) for the detailed steps.", "", "rude"),
    ("en", "Of course you can get a refund.", "", "condescending"),
    ("en", "Dear John, thanks for writing.", "", "rude"),
    ("en", "If you don't understand any step, just reply.", "", "condescending"),
    ("en", "I USED A VPN.", "", "rude"),
    ("es", "Querida Ana, gracias por escribirnos.", "", "rude"),
    ("es", "Si no lo entiende, llámeme.", "", "condescending"),
    ("pl", "Oczywiście, chętnie pomogę.", "", "condescending"),
    ("pl", "Spokojnie, wszystko naprawimy jeszcze dziś.", "", "rude"),
    ("ru", "Ваша проблема решена.", "", "rude"),
    ("ru", "Не волнуйтесь, мы всё исправим.", "", "rude"),
    ("lv", "Jūsu problēma ir atrisināta.", "", "rude"),
    ("lv", "Protams, labprāt palīdzēšu.", "", "condescending"),
    # technical answers that explain their terms
    ("en", "DNS (the address book of the internet) needs a few hours to update.", "", "condescending"),
]


@pytest.mark.parametrize(("language", "text", "label", "evidence", "rule"), POSITIVES,
                         ids=[f"{p[0]}-{p[4]}-{i}" for i, p in enumerate(POSITIVES)])
def test_marker_flags_with_exact_span(detector: MarkerDetector, language: str, text: str, label: str,
                                      evidence: str, rule: str) -> None:
    [findings] = detector.detect([analysis(text, language)])
    hits = flagged(findings, label)
    assert hits, f"no {label} finding at the default threshold for {text!r}: {findings}"
    best = max(hits, key=lambda f: f.score)
    assert best.rule == f"{language}/{rule}"
    assert text[best.start:best.end] == evidence == best.evidence
    assert 0.0 < best.score <= 1.0
    assert f"'{evidence.strip()}'" in best.explanation
    assert best.suggestion


@pytest.mark.parametrize(("language", "text", "customer", "label"), HARD_NEGATIVES,
                         ids=[f"{n[0]}-{i}" for i, n in enumerate(HARD_NEGATIVES)])
def test_hard_negative_is_not_flagged(detector: MarkerDetector, language: str, text: str, customer: str,
                                      label: str) -> None:
    [findings] = detector.detect([analysis(text, language, customer)])
    assert not flagged(findings, label), findings


def test_quoted_customer_words_are_skipped_only_when_quoted(detector: MarkerDetector) -> None:
    customer = "Just deal with it, you said last time."
    quoted = analysis('You wrote "deal with it", and that must have felt dismissive.', "en", customer)
    said = analysis("Deal with it.", "en", customer)
    assert not flagged(detector.detect([quoted])[0], "rude")
    assert flagged(detector.detect([said])[0], "rude")


def test_several_markers_raise_each_other(detector: MarkerDetector) -> None:
    [alone] = detector.detect([analysis("Obviously you need to log in first.", "en")])
    [together] = detector.detect([analysis("Obviously you need to log in first. Any child could do this.", "en")])
    one = max(f.score for f in alone if f.label == "condescending")
    both = [f for f in together if f.label == "condescending"]
    assert len(both) == 2
    assert min(f.score for f in both if f.rule == "en/obviously") > one


def test_weak_marker_alone_stays_below_threshold(detector: MarkerDetector) -> None:
    [findings] = detector.detect([analysis("As I said before, the invoice is attached.", "en")])
    assert findings and all(f.score < 0.5 for f in findings)


def test_rewrite_suggestion_removes_the_reproach(detector: MarkerDetector) -> None:
    [findings] = detector.detect([analysis("Obviously you need to log in first.", "en")])
    assert findings[0].suggestion is not None
    assert '"You need to log in first."' in findings[0].suggestion


def test_offsets_point_into_nfc_text(detector: MarkerDetector) -> None:
    decomposed = unicodedata.normalize("NFD", "Labi, mīļā, mēģiniet vēlreiz.")
    a = analysis(decomposed, "lv")
    [findings] = detector.detect([a])
    [hit] = flagged(findings, "rude")
    assert a.text[hit.start:hit.end] == hit.evidence == "mīļā"


def test_unknown_language_gets_no_marker_findings(detector: MarkerDetector) -> None:
    assert detector.detect([analysis("Not our problem.", "unknown")]) == [[]]


def test_bad_pattern_names_the_file(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "qa_monitor" / "detectors" / "markers" / "en.toml"
    # an unbalanced parenthesis in the first pattern
    text = source.read_text(encoding="utf-8").replace("regex = '''\\b(?:(?:that", "regex = '''(\\b(?:(?:that", 1)
    (tmp_path / "en.toml").write_text(text, encoding="utf-8")
    d = MarkerDetector({"data_dir": str(tmp_path), "languages": ["en"]})
    with pytest.raises(ModelError, match=r"en\.toml: pattern 0 \(not_our_problem\): invalid regular expression"):
        d.load()


def test_data_file_version_must_match_detector(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "qa_monitor" / "detectors" / "markers" / "es.toml"
    text = source.read_text(encoding="utf-8").replace('version = "1.1"', 'version = "0.9"')
    (tmp_path / "es.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match="does not match"):
        MarkerDetector({"data_dir": str(tmp_path), "languages": ["es"]}).load()


def test_every_language_file_covers_both_labels(detector: MarkerDetector) -> None:
    for lang, lexicon in detector.lexicons.items():
        labels = {p.label for p in lexicon.patterns}
        assert labels == {"rude", "condescending"}, lang
        assert len(lexicon.patterns) >= 30, lang


def test_required_literals_gate_is_sound() -> None:
    import re

    from qa_monitor.detectors.literals import required_literals

    assert required_literals(re.compile(r"\bnot\s+(?:our|my)\s+(?:problem|issue)\b", re.I)) == {"problem", "issue"}
    assert required_literals(re.compile(r"\b(?:deal|live)\s+with\s+it\b|\btough\s+luck\b", re.I)) == {
        "deal", "live", "tough"}
    assert required_literals(re.compile(r"(?:foo)?\w+")) is None
    assert required_literals(re.compile(r"ab(?:x|\w)")) == {"ab"}


@pytest.mark.parametrize(("language", "text", "customer"), [
    ("en", "Calm down, please.", "You are useless, this is a scam!!!"),
    ("ru", "Успокойтесь, пожалуйста.", "Вы мошенники, это издевательство!"),
    ("lv", "Nomierinieties, lūdzu.", "JŪS ESAT VIENKĀRŠI NEKOMPETENTI UN NEKO NEDARĀT"),
])
def test_hostile_customer_is_shown_but_does_not_lower_the_score(detector: MarkerDetector, language: str, text: str,
                                                                 customer: str) -> None:
    [calm] = detector.detect([analysis(text, language)])
    [hostile] = detector.detect([analysis(text, language, customer)])
    assert [f.score for f in hostile] == [f.score for f in calm]
    assert "hostile too" in hostile[0].explanation and "hostile" not in calm[0].explanation
