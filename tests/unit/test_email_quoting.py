"""Quoted history and signatures are removed in every supported language; the author's own words stay."""

from __future__ import annotations

import pytest

from qa_monitor.adapters.mime import html_to_text
from qa_monitor.adapters.quoting import strip_quoted

# (language, message as received, what its author wrote)
CASES = [
    ("en", "The refund went out today.\n\nOn Mon, 3 Nov 2025 at 09:12, John Miller <john@mail.example> wrote:\n"
           "> Where is my refund?", "The refund went out today."),
    ("en", "Sure, done.\n\nOn Mon, 3 Nov 2025 at 09:12, John Miller <\njohn@mail.example> wrote:\n> Hi",
     "Sure, done."),
    ("en", "Please restart the app.\n\nBest regards,\nEmma Clarke\nCustomer Care | BrightCart\n+44 20 7946 0958",
     "Please restart the app."),
    ("en", "Your parcel is on its way.\n-- \nEmma Clarke\nBrightCart", "Your parcel is on its way."),
    ("pl", "Sprawa jest w toku.\n\nPozdrawiam\n\n-- \nTomasz Kaczmarek\nWsparcie techniczne", "Sprawa jest w toku."),
    ("en", "Thanks, that fixed it!\n\nSent from my iPhone", "Thanks, that fixed it!"),
    ("en", "It does not fit.\n\n-----Original Message-----\nFrom: Emma\nSent: Monday\nTo: John\nSubject: Re: x\n\nHi",
     "It does not fit."),
    ("en", "What now?\n\n________________________________\nFrom: Emma Clarke <emma@brightcart.example>\n"
           "Sent: Monday, November 3, 2025 11:40 AM\nTo: John\nSubject: Re: Order\n\nHello John", "What now?"),
    ("en", "Yes.\n\n---------- Forwarded message ---------\nFrom: A <a@b.example>\nDate: Mon\nSubject: x\n\nold",
     "Yes."),
    ("en", "I agree.\n> you said this\nAnd I also think so.", "I agree.\nAnd I also think so."),
    ("es", "Ya está solucionado.\n\nEl mar, 4 nov 2025 a las 16:20, María Fernández (<maria@correo.example>) "
           "escribió:\n> Hola", "Ya está solucionado."),
    ("es", "Le enviamos el abono.\n\nSaludos cordiales,\nLucía Romero\nAtención al cliente", "Le enviamos el abono."),
    ("es", "Le envío las dos facturas mañana.\n\nUn cordial saludo,", "Le envío las dos facturas mañana."),
    ("es", "Revisado.\n\nDe: María <maria@correo.example>\nEnviado: martes, 4 de noviembre de 2025 16:20\n"
           "Para: soporte@brightcart.example\nAsunto: Factura\n\nHola", "Revisado."),
    ("es", "Gracias.\n\n-----Mensaje original-----\nDe: Lucía\nEnviado el: lunes\nPara: María\nAsunto: x",
     "Gracias."),
    ("es", "Todo bien.\n\nEnviado desde mi iPhone", "Todo bien."),
    ("pl", "Proszę zresetować router.\n\nW dniu 4.11.2025 o 08:30, Jan Wiśniewski pisze:\n> Dzień dobry",
     "Proszę zresetować router."),
    ("pl", "Wymienimy urządzenie.\n\nDnia 4 listopada 2025 08:30 Jan Wiśniewski <jan@poczta.example> napisał(a):\n"
           "> Router nie działa", "Wymienimy urządzenie."),
    ("pl", "Zwrot został zlecony.\n\nPozdrawiam serdecznie,\nKatarzyna Zielińska\nDział Obsługi Klienta",
     "Zwrot został zlecony."),
    ("pl", "Sprawdzę to.\n\nOd: Jan Wiśniewski <jan@poczta.example>\nWysłano: wtorek, 4 listopada 2025 08:30\n"
           "Do: pomoc@brightcart.example\nTemat: Reklamacja\n\nDzień dobry", "Sprawdzę to."),
    ("pl", "OK.\n\n-----Oryginalna wiadomość-----\nOd: Jan\nWysłano: wtorek\nDo: pomoc\nTemat: x", "OK."),
    ("ru", "Платёж прошёл.\n\n3 ноября 2025 г., в 12:40, Иван Петров <ivan@pochta.example> написал(а):\n"
           "> Здравствуйте", "Платёж прошёл."),
    ("ru", "Проверьте, пожалуйста, ещё раз.\n\nпн, 3 нояб. 2025 г. в 12:40, Иван Петров <ivan@pochta.example>:\n"
           "> Не работает", "Проверьте, пожалуйста, ещё раз."),
    ("ru", "Заказ отправлен.\n\nС уважением,\nОльга Смирнова\nслужба поддержки", "Заказ отправлен."),
    ("ru", "Готово.\n\nОт: Иван Петров <ivan@pochta.example>\nОтправлено: 3 ноября 2025 г. 12:40\n"
           "Кому: help@brightcart.example\nТема: Оплата\n\nЗдравствуйте", "Готово."),
    ("ru", "Да.\n\n-----Исходное сообщение-----\nОт: Иван\nОтправлено: понедельник\nКому: help\nТема: x", "Да."),
    ("lv", "Kredītrēķins ir izrakstīts.\n\n2025. gada 5. nov. 14:02 Jānis Bērziņš <janis@pasts.example> rakstīja:\n"
           "> Labdien!", "Kredītrēķins ir izrakstīts."),
    ("lv", "Pasūtījums ir ceļā.\n\nAr cieņu,\nLīga Ozola\nklientu atbalsts", "Pasūtījums ir ceļā."),
    ("lv", "Paldies, sapratu.\n\nNo: Jānis Bērziņš <janis@pasts.example>\nNosūtīts: trešdiena, 2025. gada 5. "
           "novembris 14:02\nKam: atbalsts@brightcart.example\nTēma: Rēķins\n\nLabdien", "Paldies, sapratu."),
]


@pytest.mark.parametrize(("lang", "received", "own"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_strips_quotes_and_signatures(lang: str, received: str, own: str) -> None:
    assert strip_quoted(received) == own


# Prose that looks like a marker but is the author's own text.
KEEP = [
    "Here is what my colleague wrote:\nthe order was shipped on Monday.",
    "Thanks, that worked!\nI can log in again.",
    "From: the warehouse we heard the parcel left today.",
    "Pozdrawiam Pana serdecznie i dziękuję za cierpliwość, sprawa jest już zamknięta.",
    "Please try again after the update.\nThanks\nIf it still fails, call us on the number above.",
    "No: the refund cannot be split into two payments.\nI am sorry about that.",
]


@pytest.mark.parametrize(("received", "author", "own"), [
    ("Спасибо, всё понятно.\n\nСергей", "Сергей Кузнецов", "Спасибо, всё понятно."),
    ("Thanks, that fixed it.\n\nRegards, Emma", "Emma Clarke", "Thanks, that fixed it."),
    ("Hablamos mañana.\n\nUn cordial saludo,\n\n- Marta", "Marta Sánchez", "Hablamos mañana."),
    ("Dziękuję.\nPaweł Zieliński", "Paweł Zieliński", "Dziękuję."),
    ("¿Qué puedo hacer?\n\nMarta Sánchez", "Marta Sánchez Vidal", "¿Qué puedo hacer?"),
    ("Anna", "Anna Dąbrowska", "Anna"),  # the name alone is the whole message: kept
    ("Please ask Ilze.\nIlze knows the account.", "Ilze Kalniņa", "Please ask Ilze.\nIlze knows the account."),
])
def test_author_name_sign_off_removed(received: str, author: str, own: str) -> None:
    assert strip_quoted(received, author=author) == own


@pytest.mark.parametrize("text", KEEP)
def test_keeps_look_alike_prose(text: str) -> None:
    assert strip_quoted(text) == text


def test_html_quotes_and_signature_elements_removed() -> None:
    html = ("<div>Hola María:<br>ya está.</div><div class='gmail_signature'>Lucía<br>BrightCart</div>"
            "<div class='gmail_quote'>El mar, 4 nov 2025 escribió:<blockquote>Hola</blockquote></div>")
    assert html_to_text(html) == "Hola María:\nya está."


def test_outlook_web_html_reply_header_removed() -> None:
    html = ("<p>Done, the invoice is corrected.</p><hr><p><b>From:</b> John</p><p><b>Sent:</b> Monday</p>"
            "<p>Old text</p>")
    assert html_to_text(html) == "Done, the invoice is corrected."
