"""Cost of the rule-based half of the scorer per message: language id, segmentation, markers, clarity.

Prints messages/s and milliseconds per message for each stage on 1,000 generated multilingual help-desk replies
(1-4 sentences), single thread, and the share of the per-message budget that the full scorer has
(>= 140 messages/s on 2 cores together with the ML encoder).

    PYTHONPATH=. python benchmarks/rules.py [--messages 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections.abc import Callable

from qa_monitor.detectors.clarity import ClarityDetector
from qa_monitor.detectors.markers import MarkerDetector
from qa_monitor.nlp.analysis import Analysis, ScoreInput
from qa_monitor.nlp.analyzer import Analyzer, normalize
from qa_monitor.nlp.language import LanguageIdentifier
from qa_monitor.nlp.segment import segment

TARGET_PER_S = 140

SENTENCES = {
    "en": ["Thanks for reaching out about your invoice.", "Not our problem.", "We are looking into it.",
           "Please restart the router and try again.", "As I already explained twice, the plan renews monthly.",
           "Your MX record TTL is too high.", "I have refunded the order today; it takes 3-5 business days.",
           "Obviously you need to log in first.", "Let me know if anything else comes up!"],
    "es": ["Gracias por escribirnos sobre su factura.", "No es nuestro problema.", "Estamos revisando su caso.",
           "Reinicie el router y vuelva a intentarlo.", "Como ya le he explicado dos veces, el plan se renueva.",
           "Hoy mismo le he devuelto el importe.", "Obviamente tiene que iniciar sesión primero."],
    "pl": ["Dziękujemy za wiadomość w sprawie faktury.", "To nie nasz problem.", "Sprawdzamy sprawę.",
           "Proszę zrestartować router i spróbować ponownie.", "Jak już dwa razy tłumaczyłem, plan się odnawia.",
           "Zwrot zlecono dzisiaj, potrwa 3-5 dni roboczych.", "Oczywiście najpierw trzeba się zalogować."],
    "ru": ["Спасибо, что написали о счёте.", "Это не наша проблема.", "Мы разбираемся.",
           "Перезагрузите роутер и попробуйте снова.", "Как я уже два раза объяснял, тариф продлевается.",
           "Возврат оформлен сегодня, он займёт 3-5 рабочих дней.", "Очевидно, вам сначала нужно войти."],
    "lv": ["Paldies, ka rakstījāt par rēķinu.", "Tā nav mūsu problēma.", "Mēs pārbaudām jūsu lietu.",
           "Restartējiet maršrutētāju un mēģiniet vēlreiz.", "Kā jau divas reizes skaidroju, plāns atjaunojas.",
           "Atmaksa veikta šodien, tā aizņems 3-5 darba dienas.", "Acīmredzot jums vispirms jāpieslēdzas."],
}
CUSTOMER = {"en": "Why was I charged twice this month?", "es": "¿Por qué me cobraron dos veces este mes?",
            "pl": "Dlaczego obciążono mnie dwa razy w tym miesiącu?", "ru": "Почему с меня дважды списали деньги?",
            "lv": "Kāpēc šomēnes naudu noņēma divreiz?"}


def messages(n: int, seed: int = 7) -> list[ScoreInput]:
    """n agent replies of 1-4 sentences, languages in turn, with the customer's question as context."""
    rng = random.Random(seed)
    langs = list(SENTENCES)
    out = []
    for i in range(n):
        lang = langs[i % len(langs)]
        text = " ".join(rng.choice(SENTENCES[lang]) for _ in range(rng.randint(1, 4)))
        out.append(ScoreInput(f"m{i}", text, CUSTOMER[lang]))
    return out


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    """The fastest of `repeat` runs: wall-clock and CPU seconds (CPU time is less disturbed by other load)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items = messages(args.messages)
    identifier = LanguageIdentifier()
    identifier.load()
    markers, clarity = MarkerDetector(), ClarityDetector()
    markers.load()
    clarity.load()
    analyses: list[Analysis] = Analyzer(identifier).analyze(items)  # warms lingua's lazily loaded models

    stages: dict[str, Callable[[], object]] = {
        "language id (lingua)": lambda: [identifier.identify(normalize(i.text), i.customer) for i in items],
        "segmentation": lambda: [segment(a.text, a.language) for a in analyses],
        "markers": lambda: markers.detect(analyses),
        "clarity": lambda: clarity.detect(analyses),
        "all rules, language given": lambda: (markers.detect(Analyzer(identifier).analyze(
            [ScoreInput(i.message_id, i.text, i.customer, a.language) for i, a in zip(items, analyses, strict=True)])),
            clarity.detect(analyses)),
        "all rules with language id": lambda: (lambda a: (markers.detect(a), clarity.detect(a)))(
            Analyzer(identifier).analyze(items)),
    }
    budget_ms = 1000 / TARGET_PER_S
    print(f"{len(items)} messages, best of {args.repeat}, one thread")
    print(f"{'stage':30} {'messages/s':>12} {'ms/message':>11} {'CPU ms/msg':>11} {'of budget':>10}")
    for name, fn in stages.items():
        seconds, cpu = best_of(args.repeat, fn)
        per_ms, cpu_ms = 1000 * seconds / len(items), 1000 * cpu / len(items)
        print(f"{name:30} {len(items) / seconds:12.0f} {per_ms:11.3f} {cpu_ms:11.3f} {per_ms / budget_ms:10.1%}")
    print(f"budget: {budget_ms:.2f} ms/message (the full scorer's target of {TARGET_PER_S} messages/s)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
