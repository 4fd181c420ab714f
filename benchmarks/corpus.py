"""Generate the two benchmark corpora of agent messages in en, es, pl, ru and lv (see benchmarks/README.md).

`realistic`: what a help desk sends in a week, in the forms replies arrive in (e-mails with greeting and sign-off,
chat lines, call-transcript turns), 1-8 sentences, about 90 % fine and 10 % with one rude, condescending or unclear
passage. `problem-heavy`: bare replies of 1-4 sentences, most with a problem (the benchmark's earlier mix).
Every sentence is written from a template with varied slots (names, order numbers, amounts, days, products), so no
sentence appears twice in a corpus; `check` asserts it with the scorer's own segmenter.
Usage: PYTHONPATH=. python benchmarks/corpus.py   (rewrites benchmarks/corpora/*.jsonl; seeded, reproducible)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from qa_monitor.nlp.segment import segment

HERE = Path(__file__).parent / "corpora"
LANGS = ("en", "es", "lv", "pl", "ru")
KINDS = ("rude", "condescending", "unclear")

# Slot values per language. {order}, {amount}, {days}, {time}, {code}, {n} are numbers and need no translation.
VOCAB: dict[str, dict[str, list[str]]] = {
    "en": {
        "name": ["Anna", "James", "Priya", "Tom", "Sarah", "Mohammed", "Emily", "Daniel", "Grace", "Oliver", "Chloe",
                 "Liam", "Hannah", "Ravi", "Sophie", "Jack", "Megan", "Ethan", "Lucy", "Aaron"],
        "surname": ["Mehta", "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Khan", "Walker", "Hughes",
                    "Green", "Clarke", "Patel", "Wright", "Hall"],
        "product": ["router", "washing machine", "laptop", "phone", "thermostat", "coffee machine", "headphones",
                    "smart TV", "vacuum cleaner", "tablet", "printer", "electric kettle"],
        "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "team": ["Billing", "Deliveries", "Technical support", "Customer care", "Returns", "Accounts"],
    },
    "es": {
        "name": ["Lucía", "Javier", "Carmen", "Pablo", "Marta", "Diego", "Elena", "Sergio", "Laura", "Andrés",
                 "Nuria", "Álvaro", "Paula", "Raúl", "Irene", "Hugo", "Sara", "Iván", "Clara", "Rubén"],
        "surname": ["García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz", "Díaz",
                    "Moreno", "Gil", "Ortega", "Castro", "Vidal", "Serrano"],
        "product": ["router", "lavadora", "portátil", "móvil", "termostato", "cafetera", "auriculares",
                    "televisor", "aspiradora", "tableta", "impresora", "hervidor"],
        "day": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
        "team": ["Facturación", "Envíos", "Soporte técnico", "Atención al cliente", "Devoluciones", "Cuentas"],
    },
    "lv": {
        "name": ["Anna", "Jānis", "Līga", "Andris", "Ilze", "Mārtiņš", "Kristīne", "Edgars", "Laura", "Roberts",
                 "Zane", "Artūrs", "Inese", "Raivis", "Dace", "Kārlis", "Elīna", "Toms", "Agnese", "Oskars"],
        "surname": ["Bērziņš", "Kalniņa", "Ozols", "Liepiņa", "Krūmiņš", "Zariņa", "Jansons", "Vītola",
                    "Kļaviņš", "Eglīte", "Pētersons", "Balode", "Siliņš", "Ziemele", "Lācis"],
        "product": ["maršrutētājs", "veļasmašīna", "klēpjdators", "telefons", "termostats", "kafijas automāts",
                    "austiņas", "televizors", "putekļsūcējs", "planšete", "printeris", "tējkanna"],
        "day": ["pirmdien", "otrdien", "trešdien", "ceturtdien", "piektdien", "sestdien"],
        "team": ["Norēķinu nodaļa", "Piegāde", "Tehniskais atbalsts", "Klientu serviss", "Atgriešana", "Konti"],
    },
    "pl": {
        "name": ["Anna", "Piotr", "Katarzyna", "Tomasz", "Agnieszka", "Michał", "Magdalena", "Paweł", "Ewa",
                 "Krzysztof", "Joanna", "Marcin", "Monika", "Łukasz", "Karolina", "Jakub", "Natalia", "Adam",
                 "Zofia", "Bartosz"],
        "surname": ["Nowak", "Kowalska", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski", "Zielińska",
                    "Szymański", "Woźniak", "Dąbrowska", "Kozłowski", "Jankowska", "Mazur", "Krawczyk", "Piotrowska"],
        "product": ["router", "pralka", "laptop", "telefon", "termostat", "ekspres do kawy", "słuchawki",
                    "telewizor", "odkurzacz", "tablet", "drukarka", "czajnik"],
        "day": ["poniedziałek", "wtorek", "środę", "czwartek", "piątek", "sobotę"],
        "team": ["Dział rozliczeń", "Dostawy", "Wsparcie techniczne", "Obsługa klienta", "Zwroty", "Konta"],
    },
    "ru": {
        "name": ["Анна", "Сергей", "Ольга", "Дмитрий", "Елена", "Андрей", "Мария", "Алексей", "Наталья", "Игорь",
                 "Татьяна", "Михаил", "Ирина", "Павел", "Светлана", "Николай", "Юлия", "Артём", "Ксения", "Виктор"],
        "surname": ["Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов", "Новикова",
                    "Морозов", "Волкова", "Павлов", "Семёнова", "Голубев", "Виноградова", "Орлов"],
        "product": ["роутер", "стиральная машина", "ноутбук", "телефон", "термостат", "кофемашина", "наушники",
                    "телевизор", "пылесос", "планшет", "принтер", "чайник"],
        "day": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу"],
        "team": ["Отдел расчётов", "Доставка", "Техподдержка", "Служба заботы", "Возвраты", "Личный кабинет"],
    },
}

# Sentences by kind. The templates differ between languages on purpose: each is written as its desk would say it.
SENT: dict[str, dict[str, list[str]]] = {
    "en": {
        "fine": [
            "I've checked order {order} and it left our warehouse this morning.",
            "Your refund of £{amount} is on its way and should reach your card within {days} working days.",
            "I've booked an engineer for {day} between {time} and {time2}.",
            "Thanks for sending the photos of the {product}, that helps a lot.",
            "I'm sorry the {product} stopped working after only {days} weeks.",
            "I've sent a prepaid return label to your e-mail; the reference is {code}.",
            "Could you tell me the serial number printed under the {product}?",
            "The replacement {product} will be delivered on {day}, and the courier will text you an hour before.",
            "I've added a credit of £{amount} to your account for the trouble.",
            "Your new password link is valid for {n} hours.",
            "Ticket {order} is now closed, but you can reopen it by replying to this e-mail.",
            "I can see the payment of £{amount} from {day}, so nothing else is needed from you.",
            "Please restart the {product} by holding the power button for {n} seconds, then try again.",
            "If the light on the {product} still blinks red after that, reply here and I'll arrange a swap.",
            "We've extended your warranty on the {product} by {n} months at no cost.",
            "Your subscription renews on {day} at £{amount}, and you can cancel any time before then.",
            "I've passed your note to the {team} team, and they'll reply within {days} days.",
            "Sorry for the wait on order {order}; it was held up at the sorting centre.",
        ],
        "rude": [
            "That's not our problem, {name}, take it up with the courier about order {order}.",
            "Stop e-mailing us about ticket {order}, the answer isn't going to change.",
            "If you can't be bothered to read the label on the {product}, don't blame us.",
            "We're not refunding £{amount} just because you changed your mind, deal with it.",
            "Frankly, {name}, your complaint about the {product} is a waste of everyone's time.",
            "Whatever, the {product} works fine, you're doing something wrong.",
        ],
        "condescending": [
            "As I already explained {n} times, the {product} needs to be plugged in first.",
            "Obviously you need to read the manual before calling us about the {product}, {name}.",
            "It's really not that hard, even a child can reset a {product} in {n} seconds.",
            "I'll say it slowly this time: order {order} has not shipped yet.",
            "Most customers manage to pair the {product} on their own, so I'm sure you can too.",
            "Honestly, {name}, it's all in the FAQ, which I assume you haven't opened.",
        ],
        "unclear": [
            "Per SLA the P{n} RCA on {order} is pending L2 triage before the RMA is actioned.",
            "The {product} issue maps to KB-{code} so the fix is the usual one once the sync completes.",
            "It should be fine after the backend job runs, unless it isn't, in which case ticket "
            "{order} gets escalated.",
            "Depending on the carrier's SLA and the warehouse cut-off, order {order} may or may not be "
            "in the next run.",
            "Your case {order} is in the queue for the team that handles that, they'll do what's needed.",
            "The credit of £{amount} is provisional pending reconciliation against the ledger in cycle {n}.",
        ],
    },
    "es": {
        "fine": [
            "He revisado el pedido {order} y salió de nuestro almacén esta mañana.",
            "El reembolso de {amount} € ya está en camino y llegará a su tarjeta en {days} días hábiles.",
            "Le he reservado un técnico para el {day} entre las {time} y las {time2}.",
            "Gracias por enviarnos las fotos del {product}, nos ayudan mucho.",
            "Siento que el {product} dejara de funcionar a las {days} semanas.",
            "Le he enviado una etiqueta de devolución prepagada; la referencia es {code}.",
            "¿Podría indicarme el número de serie que aparece debajo del {product}?",
            "El {product} de sustitución llegará el {day} y el repartidor le avisará una hora antes.",
            "He añadido un abono de {amount} € a su cuenta por las molestias.",
            "El enlace para la nueva contraseña es válido durante {n} horas.",
            "La incidencia {order} queda cerrada, pero puede reabrirla respondiendo a este correo.",
            "Veo el pago de {amount} € del {day}, así que no necesita hacer nada más.",
            "Reinicie el {product} manteniendo pulsado el botón de encendido {n} segundos y vuelva a probar.",
            "Si la luz del {product} sigue parpadeando en rojo, respóndame y le gestiono un cambio.",
            "Hemos ampliado la garantía del {product} {n} meses sin coste.",
            "Su suscripción se renueva el {day} por {amount} € y puede cancelarla antes sin problema.",
            "He pasado su nota al equipo de {team} y le responderán en {days} días.",
            "Perdone la espera con el pedido {order}; se quedó retenido en el centro de clasificación.",
        ],
        "rude": [
            "Eso no es problema nuestro, {name}, reclame a la empresa de transporte por el pedido {order}.",
            "Deje de escribirnos sobre la incidencia {order}, la respuesta no va a cambiar.",
            "Si no se molesta en leer la etiqueta del {product}, no nos eche la culpa.",
            "No vamos a devolver {amount} € porque usted haya cambiado de opinión, asúmalo.",
            "Sinceramente, {name}, su queja sobre el {product} es una pérdida de tiempo.",
            "Da igual, el {product} funciona bien, algo está haciendo usted mal.",
        ],
        "condescending": [
            "Como ya le expliqué {n} veces, el {product} tiene que estar enchufado primero.",
            "Obviamente tiene que leer el manual antes de llamarnos por el {product}, {name}.",
            "No es tan difícil, hasta un niño reinicia un {product} en {n} segundos.",
            "Se lo repito despacio: el pedido {order} todavía no ha salido.",
            "La mayoría de clientes configura el {product} sin ayuda, seguro que usted también puede.",
            "La verdad, {name}, todo está en las preguntas frecuentes, que supongo que no ha abierto.",
        ],
        "unclear": [
            "Según el SLA, la RCA P{n} de {order} está pendiente de triaje N2 antes de tramitar la RMA.",
            "La incidencia del {product} corresponde a la KB-{code}, así que se aplica lo habitual al sincronizar.",
            "Debería ir bien cuando corra el proceso del backend, salvo que no, y entonces se escala la {order}.",
            "Según el SLA del transportista y el corte del almacén, el pedido {order} puede o no entrar en la ruta.",
            "Su caso {order} está en la cola del equipo que lleva eso, ellos harán lo que haga falta.",
            "El abono de {amount} € es provisional hasta la conciliación con el libro mayor del ciclo {n}.",
        ],
    },
    "lv": {
        "fine": [
            "Pārbaudīju pasūtījumu {order}, un tas šorīt izbrauca no mūsu noliktavas.",
            "Atmaksa {amount} EUR apmērā ir ceļā un {days} darba dienu laikā būs jūsu kartē.",
            "Meistaru jums pierakstīju {day} no {time} līdz {time2}.",
            "Paldies par fotogrāfijām, kurās redzams {product}, tās ļoti palīdz.",
            "Žēl, ka {product} pārstāja darboties jau pēc {days} nedēļām.",
            "Nosūtīju jums apmaksātu atgriešanas uzlīmi, atsauces numurs ir {code}.",
            "Vai varat pateikt sērijas numuru, kas uzdrukāts uz ierīces {product}?",
            "Maiņas ierīce ({product}) tiks piegādāta {day}, un kurjers stundu iepriekš atsūtīs īsziņu.",
            "Par sagādātajām neērtībām jūsu kontam pieskaitīju {amount} EUR.",
            "Jaunās paroles saite ir derīga {n} stundas.",
            "Pieteikums {order} ir slēgts, bet to var atkal atvērt, atbildot uz šo e-pastu.",
            "Redzu {amount} EUR maksājumu, kas veikts {day}, tāpēc no jums nekas vairāk nav vajadzīgs.",
            "Lūdzu, turiet ieslēgšanas pogu {n} sekundes, lai restartētu ierīci ({product}), un mēģiniet vēlreiz.",
            "Ja pēc tam lampiņa joprojām mirgo sarkanā krāsā, atbildiet šeit, un es noorganizēšu maiņu "
            "pret jaunu {product}.",
            "Garantiju ierīcei ({product}) bez maksas pagarinājām par {n} mēnešiem.",
            "Abonements atjaunosies {day} par {amount} EUR, un līdz tam to var atcelt jebkurā brīdī.",
            "Jūsu piezīmi nodevu komandai „{team}”, un viņi atbildēs {days} dienu laikā.",
            "Atvainojiet par gaidīšanu ar pasūtījumu {order}, tas bija aizķēries šķirošanas centrā.",
        ],
        "rude": [
            "Tā nav mūsu problēma, {name}, risiniet to ar kurjeru par pasūtījumu {order}.",
            "Beidziet mums rakstīt par pieteikumu {order}, atbilde nemainīsies.",
            "Ja jums nav laika izlasīt uzlīmi uz ierīces {product}, nevainojiet mūs.",
            "Mēs neatmaksāsim {amount} EUR tikai tāpēc, ka jūs pārdomājāt, samierinieties.",
            "Atklāti sakot, {name}, jūsu sūdzība par {product} ir laika izšķiešana.",
            "Vienalga, {product} strādā normāli, jūs kaut ko darāt nepareizi.",
        ],
        "condescending": [
            "Kā jau {n} reizes skaidroju, {product} vispirms jāpieslēdz pie strāvas.",
            "Protams, pirms zvanīt par {product}, vajadzēja izlasīt pamācību, {name}.",
            "Tas nav nemaz tik grūti, pat bērns restartē {product} {n} sekundēs.",
            "Pateikšu lēnām: pasūtījums {order} vēl nav izsūtīts.",
            "Lielākā daļa klientu paši tiek galā ar {product}, tāpēc noteikti varēsiet arī jūs.",
            "Godīgi sakot, {name}, tas viss ir BUJ sadaļā, kuru jūs laikam neesat atvēruši.",
        ],
        "unclear": [
            "Saskaņā ar SLA P{n} RCA pieteikumam {order} gaida L2 šķirošanu pirms RMA apstrādes.",
            "Problēma ar {product} atbilst KB-{code}, tāpēc pēc sinhronizācijas būs parastais risinājums.",
            "Kad backend process būs izpildīts, vajadzētu būt kārtībā, ja nē, tad {order} eskalēs.",
            "Atkarībā no pārvadātāja SLA un noliktavas termiņa {order} var iekļūt vai neiekļūt nākamajā reisā.",
            "Jūsu lieta {order} ir rindā pie komandas, kas ar to nodarbojas, viņi izdarīs, kas vajadzīgs.",
            "Kredīts {amount} EUR ir provizorisks līdz saskaņošanai ar virsgrāmatu {n}. ciklā.",
        ],
    },
    "pl": {
        "fine": [
            "Sprawdziłem zamówienie {order}, dziś rano wyjechało z naszego magazynu.",
            "Zwrot {amount} zł jest już w drodze i pojawi się na karcie w ciągu {days} dni roboczych.",
            "Umówiłem serwisanta na {day} w godzinach {time}–{time2}.",
            "Dziękuję za zdjęcia, na których widać {product}, bardzo nam pomogły.",
            "Przykro mi, że {product} przestał działać już po {days} tygodniach.",
            "Wysłałem opłaconą etykietę zwrotną na Pani e-mail, numer referencyjny to {code}.",
            "Czy może Pan podać numer seryjny z naklejki, jaką ma {product}?",
            "Nowy {product} dotrze w {day}, a kurier wyśle SMS godzinę przed przyjazdem.",
            "Za kłopot dopisałem do konta {amount} zł.",
            "Link do nowego hasła jest ważny przez {n} godzin.",
            "Zgłoszenie {order} jest zamknięte, ale można je otworzyć ponownie, odpowiadając na tę wiadomość.",
            "Widzę wpłatę {amount} zł z dnia, w którym był {day}, więc nic więcej nie trzeba robić.",
            "Proszę zrestartować {product}, przytrzymując przycisk zasilania przez {n} sekund, i spróbować ponownie.",
            "Jeśli dioda dalej miga na czerwono, proszę odpisać, a zorganizuję wymianę, w której "
            "dostanie Pan nowy {product}.",
            "Przedłużyliśmy gwarancję, którą ma {product}, o {n} miesięcy bez opłat.",
            "Subskrypcja odnowi się w {day} za {amount} zł, do tego czasu można ją anulować.",
            "Przekazałem uwagę do zespołu {team}, odpowiedzą w ciągu {days} dni.",
            "Przepraszam za czekanie na zamówienie {order}, utknęło w sortowni.",
        ],
        "rude": [
            "To nie nasz problem, {name}, proszę się kłócić z kurierem o zamówienie {order}.",
            "Proszę przestać pisać w sprawie zgłoszenia {order}, odpowiedź się nie zmieni.",
            "Jeśli nie chce się Panu przeczytać etykiety, jaką ma {product}, to nie nasza wina.",
            "Nie oddamy {amount} zł tylko dlatego, że się Pani rozmyśliła, trudno.",
            "Szczerze, {name}, ta reklamacja, w której chodzi o {product}, to strata czasu.",
            "Nieważne, {product} działa, to Pan coś robi źle.",
        ],
        "condescending": [
            "Jak już {n} razy tłumaczyłem, {product} trzeba najpierw podłączyć do prądu.",
            "Oczywiście przed telefonem, w którym chodzi o {product}, trzeba przeczytać instrukcję, {name}.",
            "To naprawdę nie jest trudne, nawet dziecko zrestartuje {product} w {n} sekund.",
            "Powtórzę powoli: zamówienie {order} jeszcze nie zostało wysłane.",
            "Większość klientów sama konfiguruje {product}, więc na pewno Pani też da radę.",
            "Szczerze, {name}, wszystko jest w FAQ, którego chyba nikt u Pana nie otworzył.",
        ],
        "unclear": [
            "Zgodnie z SLA RCA P{n} dla {order} czeka na triaż L2 przed realizacją RMA.",
            "Problem, jaki ma {product}, odpowiada KB-{code}, więc po synchronizacji będzie standardowa poprawka.",
            "Powinno być dobrze po przebiegu joba na backendzie, chyba że nie, wtedy {order} idzie do eskalacji.",
            "Zależnie od SLA przewoźnika i cut-offu magazynu {order} może wejść albo nie wejść do kolejnego kursu.",
            "Sprawa {order} jest w kolejce zespołu, który się tym zajmuje, zrobią, co trzeba.",
            "Kredyt {amount} zł jest tymczasowy do czasu uzgodnienia z księgą główną w cyklu {n}.",
        ],
    },
    "ru": {
        "fine": [
            "Я проверил заказ {order}, сегодня утром он уехал с нашего склада.",
            "Возврат {amount} ₽ уже отправлен и поступит на карту в течение {days} рабочих дней.",
            "Я записал мастера {day} с {time} до {time2}.",
            "Спасибо за фотографии, на них хорошо видно, что {product} повреждён.",
            "Мне жаль, что {product} перестал работать уже через {days} недель.",
            "Я отправил вам на почту оплаченную этикетку для возврата, номер {code}.",
            "Подскажите, пожалуйста, серийный номер с наклейки, где указан {product}.",
            "Новый {product} привезут {day}, курьер напишет за час до приезда.",
            "За неудобства я начислил на ваш счёт {amount} ₽.",
            "Ссылка для нового пароля действует {n} часов.",
            "Обращение {order} закрыто, но его можно открыть снова, ответив на это письмо.",
            "Я вижу платёж на {amount} ₽, сделанный {day}, так что больше ничего делать не нужно.",
            "Перезагрузите, пожалуйста, {product}, удерживая кнопку питания {n} секунд, и попробуйте снова.",
            "Если индикатор всё ещё мигает красным, ответьте сюда, и я оформлю замену на новый {product}.",
            "Мы бесплатно продлили гарантию, которая есть на {product}, на {n} месяцев.",
            "Подписка продлится {day} за {amount} ₽, до этого её можно отменить в любой момент.",
            "Я передал ваше замечание в команду «{team}», вам ответят в течение {days} дней.",
            "Извините за ожидание по заказу {order}, он задержался в сортировочном центре.",
        ],
        "rude": [
            "Это не наша проблема, {name}, разбирайтесь с курьером насчёт заказа {order}.",
            "Хватит писать нам по обращению {order}, ответ не изменится.",
            "Если вам лень прочитать наклейку, где указан {product}, не надо винить нас.",
            "Мы не вернём {amount} ₽ только потому, что вы передумали, смиритесь.",
            "Честно говоря, {name}, ваша жалоба, в которой речь про {product}, пустая трата времени.",
            "Какая разница, {product} работает нормально, это вы что-то делаете не так.",
        ],
        "condescending": [
            "Как я уже {n} раза объяснял, {product} сначала нужно включить в розетку.",
            "Очевидно, прежде чем звонить, когда у вас {product}, надо прочитать инструкцию, {name}.",
            "Это же совсем несложно, даже ребёнок перезагрузит {product} за {n} секунд.",
            "Повторю медленно: заказ {order} ещё не отправлен.",
            "Большинство клиентов сами настраивают {product}, так что и вы наверняка справитесь.",
            "Честно, {name}, всё это есть в FAQ, который вы, видимо, не открывали.",
        ],
        "unclear": [
            "По SLA RCA P{n} по {order} ждёт триажа на L2 до обработки RMA.",
            "Проблема, которую даёт {product}, соответствует KB-{code}, после синка будет стандартный фикс.",
            "Должно заработать после прогона джоба на бэкенде, а если нет, то {order} уйдёт в эскалацию.",
            "В зависимости от SLA перевозчика и катоффа склада {order} может попасть или не попасть в рейс.",
            "Ваш кейс {order} в очереди у команды, которая этим занимается, они сделают что нужно.",
            "Начисление {amount} ₽ предварительное до сверки с главной книгой в цикле {n}.",
        ],
    },
}

# Message frames: e-mail greetings and sign-offs, chat openers, spoken call-turn openers (fillers in the transcript).
FRAME: dict[str, dict[str, list[str]]] = {
    "en": {"greet": ["Hi {name},", "Hello {name},", "Dear {name} {surname},", "Good morning {name},",
                     "Dear Mr {surname},", "Dear Ms {surname},"],
           "sign": ["Kind regards, {agent} {asurname}, {team}", "Best wishes, {agent} from {team}",
                    "Thanks again, {agent} {asurname} ({team})", "Regards, {agent}, {team} team, ext. {code}"],
           "chat": ["hi {name}, {agent} here", "ok {name}, one sec", "thanks {name}!", "sure, {name}"],
           "call": ["Yeah, so, {name},", "Okay, right, {name},", "Mm-hm, I see, {name},", "Right, so, um, {name},"]},
    "es": {"greet": ["Hola, {name}:", "Buenos días, {name}:", "Estimado/a {name} {surname}:", "Hola {name},",
                     "Estimada Sra. {surname}:", "Estimado Sr. {surname}:"],
           "sign": ["Un saludo, {agent} {asurname}, {team}", "Atentamente, {agent} ({team})",
                    "Gracias de nuevo, {agent} {asurname}, equipo de {team}", "Saludos, {agent}, {team}, ext. {code}"],
           "chat": ["hola {name}, soy {agent}", "vale {name}, un momento", "¡gracias {name}!", "claro, {name}"],
           "call": ["Sí, a ver, {name},", "Vale, vale, {name},", "Mm, entiendo, {name},", "Bueno, eh, {name},"]},
    "lv": {"greet": ["Labdien, {name}!", "Sveiki, {name}!", "Godātais {name} {surname}!", "Labrīt, {name}!",
                     "Cienījamā {name} {surname}!", "Labdien, {surname} kungs!"],
           "sign": ["Ar cieņu, {agent} {asurname}, {team}", "Jauku dienu, {agent} ({team})",
                    "Vēlreiz paldies, {agent} {asurname}, {team}", "Sveicieni, {agent}, {team}, tālr. {code}"],
           "chat": ["sveiki {name}, šeit {agent}", "labi {name}, mirklīti", "paldies {name}!", "protams, {name}"],
           "call": ["Jā, tātad, {name},", "Labi, labi, {name},", "Mhm, saprotu, {name},", "Nu, ēē, {name},"]},
    "pl": {"greet": ["Dzień dobry, {name},", "Witam, {name},", "Szanowna Pani {surname},", "Szanowny Panie {surname},",
                     "Dzień dobry Pani {name},", "Cześć {name},"],
           "sign": ["Pozdrawiam, {agent} {asurname}, {team}", "Z poważaniem, {agent} ({team})",
                    "Dziękuję raz jeszcze, {agent} {asurname}, {team}", "Pozdrowienia, {agent}, {team}, wew. {code}"],
           "chat": ["cześć {name}, tu {agent}", "ok {name}, chwilka", "dzięki {name}!", "jasne, {name}"],
           "call": ["No więc, {name},", "Dobrze, dobrze, {name},", "Mhm, rozumiem, {name},", "No, yyy, {name},"]},
    "ru": {"greet": ["Здравствуйте, {name}!", "Добрый день, {name}!", "Уважаемый(ая) {name} {surname}!",
                     "Доброе утро, {name}!", "Здравствуйте, {name} {surname}!", "Привет, {name}!"],
           "sign": ["С уважением, {agent} {asurname}, {team}", "Хорошего дня, {agent} ({team})",
                    "Ещё раз спасибо, {agent} {asurname}, {team}", "Всего доброго, {agent}, {team}, доб. {code}"],
           "chat": ["здравствуйте, {name}, это {agent}", "хорошо, {name}, секунду", "спасибо, {name}!",
                    "конечно, {name}"],
           "call": ["Да, значит, {name},", "Так, хорошо, {name},", "Угу, понимаю, {name},", "Ну, э-э, {name},"]},
}


def fill(template: str, lang: str, rng: random.Random) -> str:
    """The template with every slot given a value drawn for this language."""
    v = VOCAB[lang]
    hour = rng.randint(8, 16)
    return template.format(
        name=rng.choice(v["name"]), surname=rng.choice(v["surname"]), agent=rng.choice(v["name"]),
        asurname=rng.choice(v["surname"]), product=rng.choice(v["product"]), day=rng.choice(v["day"]),
        team=rng.choice(v["team"]), order=rng.randint(100000, 999999), code=rng.randint(1000, 9999),
        amount=f"{rng.randint(5, 400)}.{rng.randint(0, 99):02d}" if lang == "en"
        else f"{rng.randint(5, 400)},{rng.randint(0, 99):02d}",
        days=rng.randint(2, 14), n=rng.randint(2, 30), time=f"{hour}:{rng.choice(('00', '15', '30', '45'))}",
        time2=f"{hour + 2}:{rng.choice(('00', '30'))}")


class Writer:
    """Draws sentences that have not been used in this corpus yet."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def one(self, lang: str, pool: list[str], used: set[str] | None = None) -> str:
        """A fresh sentence from one of the pool's templates, not one of `used` (the message's own), which it
        extends; a template whose slots have run out of fresh combinations gives way to another."""
        for template in self.rng.sample(pool, len(pool)):
            if used is not None and template in used:
                continue
            for _ in range(50):
                s = fill(template, lang, self.rng)
                parts = {p.text for p in segment(s, lang)}
                if not parts & self.seen:
                    self.seen |= parts
                    if used is not None:
                        used.add(template)
                    return s
        raise RuntimeError(f"{lang}: template pool exhausted")

    def body(self, lang: str, n: int, problem: str | None) -> list[str]:
        """n sentences from different templates, one of them (at a random place) of the problem kind when given."""
        used: set[str] = set()
        out = [self.one(lang, SENT[lang]["fine"], used) for _ in range(n - (problem is not None))]
        if problem is not None:
            out.insert(self.rng.randint(0, len(out)), self.one(lang, SENT[lang][problem]))
        return out


def realistic(n: int = 1000, seed: int = 11) -> list[dict[str, object]]:
    """n messages as a help desk sends them in a week: 90 % fine, 10 % with one bad passage."""
    w = Writer(seed)
    rng = w.rng
    out: list[dict[str, object]] = []
    for i in range(n):
        lang = LANGS[i % len(LANGS)]
        form = rng.choices(("email", "chat", "call"), weights=(5, 3, 2))[0]
        problem = rng.choice(KINDS) if rng.random() < 0.10 else None
        if form == "email":
            k = rng.randint(2, 6)
            text = (w.one(lang, FRAME[lang]["greet"]) + "\n\n" + " ".join(w.body(lang, k, problem)) + "\n\n"
                    + w.one(lang, FRAME[lang]["sign"]))
            sentences = k + 2
        elif form == "chat":
            k = rng.randint(1, 2)
            body = w.body(lang, k, problem)
            if rng.random() < 0.5:  # chat lines: often lower case, the opener its own line
                body = [s[0].lower() + s[1:] for s in body]
                text = w.one(lang, FRAME[lang]["chat"]) + "\n" + "\n".join(body)
                sentences = k + 1
            else:
                text, sentences = " ".join(body), k
        else:
            k = rng.randint(1, 5)
            body = w.body(lang, k, problem)
            opener = w.one(lang, FRAME[lang]["call"])
            text = opener + " " + body[0][0].lower() + body[0][1:] + (" " + " ".join(body[1:]) if k > 1 else "")
            sentences = k
        out.append({"id": f"realistic-{i:04d}", "lang": lang, "form": form, "problem": problem,
                    "sentences": sentences, "text": text})
    return out


def problem_heavy(n: int = 1000, seed: int = 7) -> list[dict[str, object]]:
    """n bare replies of 1-4 sentences, about 80 % with a problem (rude, condescending or unclear sentences)."""
    w = Writer(seed)
    rng = w.rng
    out: list[dict[str, object]] = []
    for i in range(n):
        lang = LANGS[i % len(LANGS)]
        k = rng.randint(1, 4)
        problems = [rng.choice(KINDS) for _ in range(k)] if rng.random() < 0.8 else []
        # each sentence of a problem message is bad with probability 1/2, at least one of them
        bad = [j for j in range(k) if rng.random() < 0.5] or [rng.randrange(k)] if problems else []
        used: set[str] = set()
        body = [w.one(lang, SENT[lang][problems[j]] if j in bad else SENT[lang]["fine"], used) for j in range(k)]
        out.append({"id": f"problem-heavy-{i:04d}", "lang": lang, "form": "bare",
                    "problem": ",".join(sorted({problems[j] for j in bad})) or None, "sentences": k,
                    "text": " ".join(body)})
    return out


def check(rows: list[dict[str, object]]) -> None:
    """Assert the corpus has distinct messages, all five languages and no sentence (as the scorer splits them)
    twice."""
    texts = [str(r["text"]) for r in rows]
    assert len(set(texts)) == len(texts), "messages repeat"
    assert {r["lang"] for r in rows} == set(LANGS), "a language is missing"
    seen: dict[str, str] = {}
    for r in rows:
        for s in segment(str(r["text"]), str(r["lang"])):
            assert s.text not in seen, f"sentence repeated in {r['id']} and {seen[s.text]}: {s.text!r}"
            seen[s.text] = str(r["id"])


CORPORA = {"realistic": realistic, "problem-heavy": problem_heavy}


def path(name: str) -> Path:
    """Where a corpus is kept."""
    return HERE / f"{name}.jsonl"


def load(name: str) -> list[dict[str, object]]:
    """A kept corpus, checked."""
    rows = [json.loads(line) for line in path(name).read_text(encoding="utf-8").splitlines() if line.strip()]
    check(rows)
    return rows


def main() -> None:
    """Write both corpora."""
    HERE.mkdir(exist_ok=True)
    for name, make in CORPORA.items():
        rows = make()
        check(rows)
        with path(name).open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        bad = sum(r["problem"] is not None for r in rows)
        print(f"{name}: {len(rows)} messages, {bad / len(rows):.0%} with a problem, "
              f"{sum(int(str(r['sentences'])) for r in rows) / len(rows):.1f} sentences each")


if __name__ == "__main__":
    main()
