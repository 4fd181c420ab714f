"""Clarity detector: (text, label, span) cases per language, hard negatives and the customer context."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_monitor.detectors.clarity import ClarityDetector
from tests.support.scoring import analysis, flagged


@pytest.fixture(scope="module")
def detector() -> ClarityDetector:
    d = ClarityDetector()
    d.load()
    return d


WALL_EN = ("Thank you for contacting us about your order, we have received your message and we understand that you "
           "are frustrated that the parcel has not arrived yet, and we want to assure you that our logistics "
           "department is working with the courier to determine the location of the parcel and the reason for the "
           "delay, which may be caused by the high volume of shipments during the holiday season, the weather "
           "conditions in some regions, or an incorrect address on the label, so we kindly ask you to be patient "
           "while we complete our investigation, and once we have more information we will contact you again to "
           "let you know the outcome and the options available to you, including a replacement or a refund if the "
           "parcel is confirmed lost by the courier company.")

# (language, agent text, customer's turn, exact evidence span of the strongest unclear finding, rule)
POSITIVES = [
    ("en", "We are looking into it.", "", "We are looking into it.", "clarity.vague"),
    ("en", "Your MX record TTL is too high, so DNS changes take a while.", "", "MX", "clarity.acronym"),
    ("en", "The cache and the propagation delay are the cause.", "", "cache", "clarity.jargon"),
    ("en", "Please restart the router. Then check the lights. Do not restart the router.", "",
     "Do not restart the router.", "clarity.contradictory_steps"),
    ("en", "Name corrections are possible in some cases but not others. Fees may apply.", "",
     "Name corrections are possible in some cases but not others.", "clarity.hedged"),
    ("en", "Please clear the cache and the app data, but do not clear the app data.", "",
     "Please clear the cache and the app data, but do not clear the app data.", "clarity.contradictory_steps"),
    ("en", "Your consumption was calculated on an EAC basis and the DUoS uplift applies.", "", "EAC",
     "clarity.acronym"),
    ("en", WALL_EN, "", WALL_EN, "clarity.long_sentence"),
    ("es", "Estamos revisando su caso y le informaremos lo antes posible.", "",
     "Estamos revisando su caso y le informaremos lo antes posible.", "clarity.vague"),
    ("es", "El registro MX tiene un TTL alto, así que la propagación tarda.", "", "MX", "clarity.acronym"),
    ("es", "Reinicie el router. No reinicie el router.", "", "No reinicie el router.",
     "clarity.contradictory_steps"),
    ("pl", "Sprawdzamy sprawę i odezwiemy się wkrótce.", "", "Sprawdzamy sprawę i odezwiemy się wkrótce.",
     "clarity.vague"),
    ("pl", "Rekord MX ma wysoki TTL, dlatego propagacja potrwa.", "", "MX", "clarity.acronym"),
    ("pl", "Proszę zrestartować router. Proszę nie restartować routera.", "", "Proszę nie restartować routera.",
     "clarity.contradictory_steps"),
    ("ru", "Мы разбираемся и сообщим в ближайшее время.", "", "Мы разбираемся и сообщим в ближайшее время.",
     "clarity.vague"),
    ("ru", "У записи MX высокий TTL, поэтому пропагация займёт время.", "", "MX", "clarity.acronym"),
    ("ru", "Перезагрузите роутер. Не перезагружайте роутер.", "", "Не перезагружайте роутер.",
     "clarity.contradictory_steps"),
    ("lv", "Mēs pārbaudām jūsu lietu un paziņosim drīzumā.", "", "Mēs pārbaudām jūsu lietu un paziņosim drīzumā.",
     "clarity.vague"),
    ("lv", "MX ierakstam ir augsts TTL, tāpēc izmaiņas prasīs laiku.", "", "MX", "clarity.acronym"),
    ("lv", "Restartējiet maršrutētāju. Nerestartējiet maršrutētāju.", "", "Nerestartējiet maršrutētāju.",
     "clarity.contradictory_steps"),
    ("ru", "Ваш запрос передан в соответствующий отдел. Ожидайте ответа.", "",
     "Ваш запрос передан в соответствующий отдел.", "clarity.vague"),
    ("pl", "Dzień dobry,\n\nsprawa jest w toku. Proszę czekać na informację.", "", "sprawa jest w toku.",
     "clarity.vague"),
    # a sign-off is left out, the terms before it are not
    ("en", "Your consumption was calculated on an EAC basis and the DUoS uplift applies. ^AB", "", "EAC",
     "clarity.acronym"),
    ("en", "It should be resolved soon. Thanks, -Ken", "", "It should be resolved soon.", "clarity.vague"),
    ("en", "We've asked the warehouse to check stock. As soon as we have an update we'll be able to advise further.",
     "", "As soon as we have an update we'll be able to advise further.", "clarity.vague"),
]

# (language, agent text, customer's turn): none may be flagged unclear
HARD_NEGATIVES = [
    ("en", "We are looking into it and I will update you by 3 pm tomorrow.", ""),
    ("en", "DNS (the address book of the internet) needs a few hours to update.", ""),
    ("en", "Your DNS settings point to the old server; I have corrected them.", "My DNS is broken, help!"),
    ("en", "Domain Name System (DNS) changes need a few hours.", ""),
    ("en", "Do not restart the router until the update finishes. Then restart it.", ""),
    ("en", "Refunds for March are processed within 5 days.", "Can I get a refund for March?"),
    ("en", "Please send me the order number and I will check it today.", ""),
    ("en", "I'M SO SORRY ABOUT THIS, we will fix it today.", ""),
    ("en", "The label had SW1A 2AB instead of SW1A 2BB; DPD will deliver tomorrow before 12:00.", ""),
    ("pl", "Zgłosiłam błąd naszemu działowi IT, pieniądze wpłyną jutro.", ""),
    ("es", "Estamos revisando su caso; mañana antes de las 12:00 le escribo.", ""),
    ("es", "El reembolso de marzo se procesa en 5 días.", "¿Puedo obtener un reembolso de marzo?"),
    ("es", "El DNS, es decir, la agenda de direcciones de internet, tarda unas horas.", ""),
    ("pl", "Sprawdzamy sprawę, jutro do 12:00 napiszę, co ustaliliśmy.", ""),
    ("pl", "DNS, czyli książka adresowa internetu, aktualizuje się kilka godzin.", ""),
    ("ru", "Мы разбираемся; завтра до 12:00 я напишу вам.", ""),
    ("ru", "DNS (адресная книга интернета) обновляется несколько часов.", ""),
    ("lv", "Mēs pārbaudām jūsu lietu un rīt līdz 12:00 atbildēsim.", ""),
    ("lv", "DNS, t.i., interneta adrešu grāmata, atjaunojas dažu stundu laikā.", ""),
    # real brand replies: sign-off initials, redaction placeholders and links are not terms or words to count,
    # everyday device words are not jargon, and a friendly "hope to hear from you soon" is not a vague non-answer
    ("en", "Hi Justin, sorry for the trouble. Which app is crashing on you? What OS are you on? Thanks! ^SJ", ""),
    ("en", "For customer service, please call [PHONE] or send a message using the Secure Message Center. -JJ", ""),
    ("en", "Could you provide your system details (OS, CPU, RAM, GPU)? Does it happen with one project? *SR", ""),
    ("en", "Hmm, this is odd, so please share your channel's URL with us. Hope to hear back from you soon!", ""),
    ("en", "Make sure the app is updated. Otherwise, send more details about what's happening, and we'll see what "
           "we can do to help.", ""),
]


@pytest.mark.parametrize(("language", "text", "customer", "evidence", "rule"), POSITIVES,
                         ids=[f"{p[0]}-{p[4]}-{i}" for i, p in enumerate(POSITIVES)])
def test_clarity_flags_with_span(detector: ClarityDetector, language: str, text: str, customer: str,
                                 evidence: str, rule: str) -> None:
    [findings] = detector.detect([analysis(text, language, customer)])
    hits = [f for f in flagged(findings, "unclear") if f.rule == f"{language}/{rule}"]
    assert hits, f"no {rule} finding at the default threshold: {findings}"
    first = min(hits, key=lambda f: f.start)
    assert text[first.start:first.end] == evidence == first.evidence
    assert first.explanation and first.suggestion
    assert all(f.label == "unclear" and f.detector == "clarity" for f in findings)


@pytest.mark.parametrize(("language", "text", "customer"), HARD_NEGATIVES,
                         ids=[f"{n[0]}-{i}" for i, n in enumerate(HARD_NEGATIVES)])
def test_clarity_hard_negatives(detector: ClarityDetector, language: str, text: str, customer: str) -> None:
    [findings] = detector.detect([analysis(text, language, customer)])
    assert not flagged(findings, "unclear"), findings


def test_a_link_does_not_make_a_sentence_long(detector: ClarityDetector) -> None:
    link = ("https://accounts.example.com/signin/v2/recoveryidentifier?flowName=GlifWebSignIn&flowEntry=ServiceLogin"
            "&hl=en&continue=https%3A%2F%2Fmyaccount.example.com%2Fsecurity%3Fpli%3D1%26tab%3D2%26rapt%3DAEjHL4N")
    text = f"Sorry to hear that, these steps may help you regain access to those accounts: {link} Hope these work!"
    [findings] = detector.detect([analysis(text, "en")])
    assert not [f for f in findings if f.rule == "en/clarity.long_sentence"], findings
    [long] = detector.detect([analysis(text.replace(link, " ".join(["word"] * 30)), "en")])
    assert [f.rule for f in long] == ["en/clarity.long_sentence"]


def test_wall_of_text_points_at_the_whole_block(detector: ClarityDetector) -> None:
    [findings] = detector.detect([analysis(WALL_EN, "en")])
    [wall] = [f for f in findings if f.rule == "en/clarity.wall_of_text"]
    assert (wall.start, wall.end) == (0, len(WALL_EN))
    assert "134 words" in wall.explanation


def test_same_text_in_paragraphs_is_not_a_wall(detector: ClarityDetector) -> None:
    paragraphs = WALL_EN.replace(", and we want", ".\n\nWe want").replace(", so we kindly", ".\n\nWe kindly")
    [findings] = detector.detect([analysis(paragraphs, "en")])
    assert not [f for f in findings if f.rule == "en/clarity.wall_of_text"]


def test_one_unexplained_acronym_alone_stays_below_threshold(detector: ClarityDetector) -> None:
    [findings] = detector.detect([analysis("Your VPN is now active on the new laptop.", "en")])
    [term] = findings
    assert term.evidence == "VPN" and term.score < 0.5


def test_acronym_the_customer_used_is_not_jargon(detector: ClarityDetector) -> None:
    text = "The VPN and the SSO login now work again on the new laptop."
    [alone] = detector.detect([analysis(text, "en")])
    [with_context] = detector.detect([analysis(text, "en", "My VPN and SSO stopped working.")])
    assert {f.evidence for f in alone} == {"VPN", "SSO"}
    assert with_context == []


def test_long_words_relative_to_the_customer(detector: ClarityDetector) -> None:
    text = ("I checked the account, and the configuration of the authentication subsystem indicates an "
            "incompatibility with the organizational synchronization infrastructure.")
    [plain_customer] = detector.detect([analysis(text, "en", "Hi, I can't get in. What do I do now? Thanks.")])
    assert [f for f in plain_customer if f.rule == "en/clarity.long_words"]
    technical = ("The authentication configuration for organizational synchronization shows an "
                 "incompatibility with our infrastructure and administrative customization.")
    [technical_customer] = detector.detect([analysis(text, "en", technical)])
    assert not [f for f in technical_customer if f.rule == "en/clarity.long_words"]


def test_unanswered_question_is_a_weak_cue_that_adds_to_others(detector: ClarityDetector) -> None:
    question = "Can I get a refund for March?"
    off_topic = "We have several plans for teams of different sizes and you can choose the one that fits."
    [alone] = detector.detect([analysis(off_topic, "en", question)])
    [miss] = alone
    assert miss.rule == "en/clarity.unanswered_question" and miss.evidence == off_topic and miss.score < 0.5
    assert "Can I get a refund for March?" in miss.explanation
    vague = "We are looking into it. We have several plans for teams of different sizes."
    [with_question] = detector.detect([analysis(vague, "en", question)])
    [without] = detector.detect([analysis(vague, "en")])
    best = max(f.score for f in with_question if f.rule == "en/clarity.vague")
    assert best > max(f.score for f in without if f.rule == "en/clarity.vague")


def test_unknown_language_gets_no_clarity_findings(detector: ClarityDetector) -> None:
    assert detector.detect([analysis("We are looking into it.", "unknown")]) == [[]]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('version = "1.2"', 'version = "0.9"', "does not match the detector's"),
    ('language = "pl"', 'language = "cs"', "declares language 'cs'"),
])
def test_clarity_data_file_must_match_language_and_version(tmp_path: Path, old: str, new: str,
                                                           message: str) -> None:
    from qa_monitor.errors import ModelError

    source = Path(__file__).resolve().parents[2] / "qa_monitor" / "detectors" / "clarity" / "pl.toml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "pl.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        ClarityDetector({"data_dir": str(tmp_path), "languages": ["pl"]}).load()


@pytest.mark.parametrize("text", [
    "Please open https://status.example.com/API/DNS/TTL and check again tomorrow.",
    "Write to SUPPORT-EU@example.com or see www.example.com/FAQ/VPN for the steps.",
])
def test_parts_of_addresses_are_not_unexplained_terms(detector: ClarityDetector, text: str) -> None:
    assert detector.detect([analysis(text, "en")]) == [[]]


def test_terms_next_to_an_address_are_still_found(detector: ClarityDetector) -> None:
    [found] = detector.detect([analysis("The DNS TTL is too high, see https://x.io/docs.", "en")])
    assert [f.evidence for f in found] == ["DNS", "TTL"]
