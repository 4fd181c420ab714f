"""Polish conversations: customers in Poland."""

from model import Call, Chat, Customer, Mail, Part, Thread, Turn

THREADS = [
    Thread(
        id="pl-podwojne-obciazenie", lang="pl", mailbox="pomoc-pl",
        customer=Customer("Krzysztof Mazur", "k.mazur@poczta.example"),
        subject="Podwójne obciążenie karty - zamówienie AMB-PL-330117",
        mails=[
            Mail("c", "2026-11-01 20:05 +01:00", """\
Dzień dobry,

w sobotę wieczorem złożyłem zamówienie AMB-PL-330117 (robot sprzątający Roborock Q7, 1299 zł). Strona
płatności się zawiesiła, więc kliknąłem "Zapłać" jeszcze raz. Teraz w banku widzę dwie transakcje po 1299 zł,
a potwierdzenie zamówienia dostałem tylko jedno.

Proszę o zwrot drugiej płatności.

Pozdrawiam
Krzysztof Mazur
""", charset="iso-8859-2", cte="8bit",
                 mailer="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.16.0"),
            Mail("agnieszka", "2026-11-02 09:10 +01:00", """\
Dzień dobry Panie Krzysztofie,

dziękuję za wiadomość i przepraszam za kłopot. W sobotę wieczorem nasz operator płatności miał awarię, przez
którą część płatności pobrano dwukrotnie – dotyczy to również Pana zamówienia.

Dziś rano anulowałam drugą transakcję na kwotę 1299 zł. Bank powinien zwolnić środki w ciągu 3–5 dni
roboczych; nie musi Pan nic robić. Zamówienie AMB-PL-330117 jest w porządku i wyjdzie z magazynu jeszcze dziś.

Gdyby w piątek obie transakcje nadal były widoczne, proszę odpisać na tę wiadomość – prześlę potwierdzenie
anulowania do przedstawienia w banku.

Pozdrawiam serdecznie
""", quote="marker", why="clear apology, concrete next step"),
            Mail("c", "2026-11-02 10:12 +01:00", """\
Dziękuję za szybką odpowiedź.

K. Mazur
""", quote="marker",
                 mailer="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.16.0"),
        ],
    ),
    Thread(
        id="pl-router-wifi", lang="pl", mailbox="pomoc-pl",
        customer=Customer("Paweł Zieliński", "pawel.zielinski@poczta.example"),
        subject="Router Aurora AX3000 gubi Wi-Fi",
        mails=[
            Mail("c", "2026-10-28 17:30 +01:00", """\
Dzień dobry,

kupiłem u Państwa zestaw Aurora AX3000 (2 moduły). Kilka razy dziennie, głównie wieczorem, Wi-Fi znika na
1–2 minuty na wszystkich urządzeniach naraz. Telewizor podłączony kablem działa bez przerwy. Restartowałem
już oba moduły kilka razy.

Co mogę zrobić?

Paweł Zieliński
"""),
            Mail("tomasz", "2026-10-28 18:40 +01:00", """\
Dzień dobry,

to może być kwestia kanałów albo firmware'u, ewentualnie jakieś interferencje. Proszę zrestartować i obserwować.

Pozdrawiam
""", expect="unclear", why="vague guesses, no concrete step; ignores that he already restarted"),
            Mail("c", "2026-10-28 19:05 +01:00", """\
Przecież napisałem, że restartowałem już kilka razy. Jakie kanały? Gdzie to się zmienia?
""", quote="marker"),
            Mail("tomasz", "2026-10-29 14:20 +01:00", """\
Jak już pisałem, restart to podstawa. Kanał zmienia się w ustawieniach routera. Naprawdę nie wiem, co tu jest
niejasnego.

Pozdrawiam
""", quote="marker", expect="condescending", why="'Jak już pisałem', 'Naprawdę nie wiem, co tu jest niejasnego'"),
            Mail("c", "2026-10-29 15:02 +01:00", """\
Może Pan w końcu odpowiedzieć konkretnie? Który kanał mam ustawić i w którym miejscu aplikacji?
""", quote="marker"),
            Mail("tomasz", "2026-10-29 19:48 +01:00", """\
Nie mam czasu tłumaczyć tego trzeci raz. Proszę przeczytać FAQ na naszej stronie, tam wszystko jest.
""", quote="marker", expect="rude", why="'Nie mam czasu tłumaczyć', 'Proszę przeczytać FAQ'"),
        ],
    ),
    Thread(
        id="pl-paczkomat", lang="pl", mailbox="pomoc-pl",
        customer=Customer("Magdalena Lewandowska", "m.lewandowska@poczta.example"),
        subject="Paczka nie dotarła do paczkomatu",
        mails=[
            Mail("c", "2026-11-12 07:50 +01:00", """\
Dzień dobry,

zamówienie AMB-PL-331902 (czytnik Kindle Paperwhite) miało być w paczkomacie WAW12M we wtorek. Od
poniedziałku status w InPost to "Przekazano do doręczenia" i nic się nie dzieje. Co się dzieje z moją paczką?

Magdalena Lewandowska
"""),
            Mail("agnieszka", "2026-11-12 11:30 +01:00", """\
Dzień dobry,

sprawa jest w toku. Proszę czekać na informację.

Pozdrawiam
""", expect="unclear", why="vague non-answer, no status, no date"),
            Mail("c", "2026-11-12 12:05 +01:00", """\
Ile mam czekać? Na jaką informację i od kogo? Paczka miała być dwa dni temu.
""", quote="marker"),
            Mail("agnieszka", "2026-11-12 13:40 +01:00", """\
Dzień dobry Pani Magdaleno,

przepraszam za poprzednią, zbyt krótką odpowiedź. Sprawdziłam szczegóły:

1. Paczka utknęła w sortowni InPost w Pruszkowie po wyprzedaży 11.11.
2. Zgłosiłam reklamację w InPost (nr 5541-2231); przewoźnik obiecuje doręczenie do paczkomatu WAW12M najpóźniej
   w piątek 13 listopada.
3. Jeśli paczki nie będzie w piątek do 18:00, wyślę drugi egzemplarz kurierem DPD na nasz koszt albo zwrócę
   pieniądze – jak Pani woli.

Kod odbioru przyjdzie SMS-em od InPost.

Pozdrawiam serdecznie
""", quote="marker", why="apology, concrete steps and dates"),
        ],
    ),
    Thread(
        id="pl-zwrot-odkurzacz", lang="pl", mailbox="pomoc-pl",
        customer=Customer("Anna Dąbrowska", "anna.dabrowska@poczta.example"),
        subject="Zwrot niepełnej kwoty za odkurzacz",
        mails=[
            Mail("c", "2026-11-05 19:30 +01:00", """\
Dzień dobry,

zwróciłam odkurzacz Xiaomi G11 (zamówienie AMB-PL-329450) w ciągu 14 dni, nieużywany. Zapłaciłam 1149 zł, a
dostałam zwrot 1129,99 zł. Dlaczego potrącono mi 19,01 zł? Nikt mnie o tym nie informował.

Anna Dąbrowska
"""),
            Mail("agnieszka", "2026-11-06 08:45 +01:00", """\
Dzień dobry Pani Anno,

ma Pani całkowitą rację i bardzo przepraszam. To był głupi błąd po naszej stronie: system przy zwrocie
automatycznie odliczył koszt wysyłki, chociaż przy odstąpieniu od umowy w ciągu 14 dni należy się Pani zwrot
całej kwoty, razem z dostawą.

Dziś rano zleciłam dopłatę brakujących 19,01 zł na kartę, którą Pani płaciła. Pieniądze powinny być na koncie w
ciągu 3 dni roboczych. Zgłosiłam też błąd naszemu działowi IT, żeby nie powtórzył się u innych klientów.

Pozdrawiam serdecznie
""", expect="none", why="hard negative: apology with 'głupi błąd po naszej stronie'"),
            Mail("c", "2026-11-06 09:20 +01:00", """\
Dziękuję, to bardzo miłe, że tak szybko Pani to wyjaśniła.

Anna
""", quote="marker"),
        ],
    ),
    Thread(
        id="pl-laptop-naprawa", lang="pl", mailbox="pomoc-pl",
        customer=Customer("Michał Wiśniewski", "michal.wisniewski@poczta.example"),
        subject="Status naprawy gwarancyjnej laptopa",
        mails=[
            Mail("c", "2026-11-17 09:15 +01:00", """\
Dzień dobry,

3 listopada oddałem do naprawy gwarancyjnej laptopa Lenovo Legion 5 (zgłoszenie RMA-PL-77120), bo nie
włączał się po aktualizacji BIOS-u. Minęły dwa tygodnie. Na jakim etapie jest naprawa?

Michał Wiśniewski
"""),
            Mail("tomasz", "2026-11-17 15:25 +01:00", """\
Dzień dobry,

RMA w statusie AWP, SN zweryfikowany, ASP czeka na FRU (MB). ETA TBD, po otrzymaniu części SLA 5 dni rob.

Pozdrawiam
""", expect="unclear", why="acronyms only: AWP, SN, ASP, FRU, MB, ETA, TBD, SLA"),
            Mail("c", "2026-11-17 16:02 +01:00", """\
Przepraszam, ale nic z tego nie rozumiem. Kiedy dostanę laptopa z powrotem?
""", quote="marker"),
            Mail("tomasz", "2026-11-17 17:10 +01:00", """\
Dzień dobry Panie Michale,

przepraszam, to był wewnętrzny skrót. Po ludzku: serwis Lenovo potwierdził, że laptop jest na gwarancji, i
trzeba w nim wymienić płytę główną. Serwis czeka teraz na tę część od producenta – według ich informacji ma
dotrzeć w przyszłym tygodniu. Od momentu dostawy części naprawa trwa do 5 dni roboczych, potem kurier odwiezie
laptopa do Pana.

Jeśli część nie dotrze do 27 listopada, zaproponujemy wymianę laptopa na nowy. Dam znać mailowo, gdy tylko
serwis potwierdzi dostawę części.

Pozdrawiam
""", quote="marker", why="explains the acronyms, gives a date and a next step"),
        ],
    ),
    Thread(
        id="pl-faktura-nip", lang="pl", mailbox="pomoc-pl",
        customer=Customer("Tomasz Baran", "biuro@baran-serwis.example"),
        subject="Faktura VAT na firmę",
        mails=[
            Mail("c", "2026-11-19 09:40 +01:00", """\
Dzień dobry,

proszę o wystawienie faktury VAT do zamówienia AMB-PL-332458 (monitor Dell P2723D) na firmę:
Baran Serwis Sp. z o.o., ul. Długa 5, 31-147 Kraków, NIP 123-456-32-18.

Z poważaniem
Tomasz Baran
"""),
            Mail("agnieszka", "2026-11-19 10:05 +01:00", """\
Dzień dobry Panie Tomaszu,

faktura VAT nr FV/2026/11/08812 na Baran Serwis Sp. z o.o. jest w załączniku. Znajdzie ją Pan też w zakładce
"Moje zamówienia" → "Dokumenty".

Pozdrawiam serdecznie
""", quote="marker"),
        ],
    ),
]

CHATS = [
    Chat(
        id="21534008633", lang="pl",
        customer=Customer("Zofia Kamińska", "zofia.kaminska@poczta.example"), customer_type="user",
        title="Płatność BLIK",
        parts=[
            Part("c", "2026-11-02 10:41 +01:00", "Dzień dobry, zapłaciłam BLIK-iem za zamówienie, pieniądze zeszły z "
                 "konta, a w sklepie zamówienie jest anulowane. Co teraz?"),
            Part("bot", "2026-11-02 10:41 +01:00", None, kind="assignment"),
            Part("agnieszka", "2026-11-02 10:44 +01:00", "Dzień dobry! Przykro mi z tego powodu. Czy może Pani "
                 "podać numer zamówienia?"),
            Part("c", "2026-11-02 10:45 +01:00", "AMB-PL-330240"),
            Part("agnieszka", "2026-11-02 10:49 +01:00", "Dziękuję. Płatność doszła do nas, ale przez sobotnią "
                 "awarię operatora zamówienie anulowało się automatycznie. Przywróciłam je przed chwilą jako "
                 "opłacone – dostanie Pani nowe potwierdzenie mailem i jutro paczka wyjdzie z magazynu. Nie trzeba "
                 "płacić drugi raz."),
            Part("c", "2026-11-02 10:50 +01:00", "Super, dziękuję bardzo!"),
            Part("agnieszka", "2026-11-02 10:50 +01:00", "Nie ma za co, miłego dnia!"),
            Part("agnieszka", "2026-11-02 10:52 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008701", lang="pl",
        customer=Customer("Bartosz Nowicki", "bartosz.nowicki@poczta.example"), customer_type="user",
        parts=[
            Part("c", "2026-11-06 16:12 +01:00", "Hej, słuchawki Sony WH-CH720N nie chcą się sparować z moim "
                 "laptopem. Z telefonem działają. Laptop to Dell z 2016 roku, Windows 10."),
            Part("tomasz", "2026-11-06 16:20 +01:00", "To nie nasz problem, że ma Pan stary laptop. Słuchawki "
                 "działają, sam Pan pisze, że z telefonem się łączą.", expect="rude",
                 why="'To nie nasz problem', blames the customer's laptop, no help"),
            Part("c", "2026-11-06 16:21 +01:00", "Aha. Czyli nic nie da się zrobić?"),
            Part("tomasz", "2026-11-06 16:27 +01:00", "Można spróbować: usunąć słuchawki z listy urządzeń "
                 "Bluetooth w Windowsie, przytrzymać przycisk zasilania na słuchawkach 7 sekund, aż dioda zacznie "
                 "migać na niebiesko, i dodać je jeszcze raz. Jeśli dalej nie pójdzie, to pewnie za stary moduł "
                 "Bluetooth w laptopie – pomaga adapter USB za ok. 40 zł."),
            Part("c", "2026-11-06 16:40 +01:00", "Udało się po usunięciu z listy. Dzięki."),
            Part("tomasz", "2026-11-06 16:41 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534009468", lang="pl",
        customer=Customer("Katarzyna Wójtowicz", "k.wojtowicz@poczta.example"), customer_type="user",
        title="Nie mogę się zalogować",
        parts=[
            Part("c", "2026-11-20 15:02 +01:00", "Dzień dobry, zmieniłam telefon i nie mogę się zalogować, bo "
                 "aplikacja z kodami została na starym telefonie."),
            Part("bot", "2026-11-20 15:02 +01:00", None, kind="assignment"),
            Part("tomasz", "2026-11-20 15:07 +01:00", "Trzeba zrobić reset MFA przez recovery flow, wtedy seed "
                 "TOTP się zregeneruje, chyba że ma Pani drift czasu na urządzeniu.", expect="unclear",
                 why="unexplained jargon: MFA, recovery flow, seed TOTP, drift"),
            Part("c", "2026-11-20 15:08 +01:00", "Nic z tego nie rozumiem. Co mam kliknąć?"),
            Part("tomasz", "2026-11-20 15:12 +01:00", "Przepraszam, już tłumaczę krok po kroku:\n\n1. Na stronie "
                 "logowania proszę wpisać e-mail i hasło, a potem kliknąć \"Nie mam dostępu do aplikacji\".\n\n2. "
                 "Przyjdzie link na Pani e-mail – proszę go otworzyć na nowym telefonie.\n\n3. Potwierdzić cztery "
                 "ostatnie cyfry karty, którą Pani płaciła, i zeskanować nowy kod QR w aplikacji."),
            Part("tomasz", "2026-11-20 15:13 +01:00", "Klientka zgłosiła utratę 2FA, instrukcja wysłana.",
                 kind="note"),
            Part("c", "2026-11-20 15:20 +01:00", "Działa, dziękuję."),
            Part("tomasz", "2026-11-20 15:21 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008399", lang="pl",
        customer=Customer("Łukasz Pawlak", "lukasz.pawlak@poczta.example"), customer_type="lead",
        parts=[
            Part("c", "2026-10-27 15:28 +01:00", "Dzień dobry, mam światłowód w Orange z ich Funboxem. Czy router "
                 "Aurora AX3000 będzie z tym działał?"),
            Part("tomasz", "2026-10-27 15:32 +01:00", "Dzień dobry! Tak, będzie działał. Aurora podłącza się kablem "
                 "do Funboxa (do dowolnego portu LAN) i tworzy własną sieć Wi-Fi. W aplikacji Aurora przy pierwszym "
                 "uruchomieniu wybiera Pan tryb \"Punkt dostępu\" – wtedy nie trzeba nic zmieniać w ustawieniach "
                 "Funboxa."),
            Part("c", "2026-10-27 15:33 +01:00", "A Wi-Fi w Funboxie wyłączyć?"),
            Part("tomasz", "2026-10-27 15:35 +01:00", "Najlepiej tak, żeby dwie sieci nie przeszkadzały sobie "
                 "nawzajem. Wyłącza się je w panelu Funboxa w zakładce Wi-Fi. Jeśli będzie Pan miał z tym kłopot, "
                 "proszę napisać – przeprowadzę Pana przez to krok po kroku."),
            Part("c", "2026-10-27 15:36 +01:00", "Dzięki, zamawiam."),
            Part("tomasz", "2026-10-27 15:37 +01:00", None, kind="close"),
        ],
    ),
]

CALLS = [
    Call(
        id="CALL-20261030-093044-PL", lang="pl", file="2026-10-30_pl_raty.vtt",
        started="2026-10-30 09:30:44 +01:00", queue="billing-pl", customer_speaker="Klientka",
        turns=[
            Turn("agnieszka", "Amberline, dzień dobry, Agnieszka Wójcik, w czym mogę pomóc?", pause=0.9),
            Turn("Klientka", "Dzień dobry. Kupiłam u państwa pralkę na raty zero procent i chciałabym zrezygnować "
                 "z rat i spłacić całość od razu. Albo najlepiej anulować tę umowę."),
            Turn("agnieszka", "Rozumiem. Niestety nie mogę anulować umowy ratalnej przez telefon, bo zawarła ją "
                 "Pani z bankiem, a nie z nami. Mogę natomiast od razu wysłać Pani mailem numer umowy i kontakt do "
                 "banku, a spłata całości przed terminem jest bez żadnych dodatkowych kosztów.", expect="none",
                 why="hard negative: firm, polite refusal with what she can do"),
            Turn("Klientka", "Czyli muszę dzwonić do banku?"),
            Turn("agnieszka", "Tak, albo wystarczy zalogować się w ich aplikacji i wybrać \"wcześniejsza spłata\". "
                 "Wysyłam Pani teraz maila ze wszystkimi danymi."),
            Turn("Klientka", "Dobrze, dziękuję."),
            Turn("agnieszka", "Dziękuję za telefon, do usłyszenia."),
        ],
    ),
    Call(
        id="CALL-20261112-181005-PL", lang="pl", file="2026-11-12_pl_telewizor.vtt",
        started="2026-11-12 18:10:05 +01:00", queue="technical-pl", customer_speaker="Klientka",
        turns=[
            Turn("tomasz", "Amberline, wsparcie techniczne, Kaczmarek.", pause=1.4),
            Turn("Klientka", "Dobry wieczór. Kupiłam telewizor TCL, podłączyłam dekoder kablem HDMI i nie ma "
                 "obrazu. Jest tylko napis \"brak sygnału\"."),
            Turn("tomasz", "No przecież trzeba wybrać źródło HDMI na pilocie. To są podstawy.",
                 expect="condescending", why="'No przecież', 'To są podstawy'"),
            Turn("Klientka", "Wybrałam. Mam trzy HDMI i na żadnym nic nie ma."),
            Turn("tomasz", "Złociutka, proszę posłuchać: jak kabel jest w HDMI 2, to wybiera się HDMI 2. Naprawdę "
                 "nie ma tu filozofii.", expect="rude+condescending", why="pet name 'Złociutka', patronising"),
            Turn("Klientka", "Proszę tak do mnie nie mówić. Dekoder jest włączony, kabel jest w HDMI 2."),
            Turn("tomasz", "Dobrze, przepraszam. To proszę odłączyć dekoder z prądu na pół minuty i włączyć go "
                 "ponownie, kiedy telewizor jest już ustawiony na HDMI 2. Jeśli obrazu dalej nie będzie, wymienimy "
                 "kabel – wyślę nowy jutro kurierem."),
            Turn("Klientka", "Dobrze, spróbuję."),
        ],
    ),
]
