"""Latvian conversations: customers in Latvia."""

from model import Call, Chat, Customer, Mail, Part, Thread, Turn

THREADS = [
    Thread(
        id="lv-divreiz-norakstits", lang="lv", mailbox="atbalsts-lv",
        customer=Customer("Ilze Kalniņa", "ilze.kalnina@pasts.example"),
        subject="Divreiz noņemta nauda par pasūtījumu AMB-LV-118690",
        mails=[
            Mail("c", "2026-11-01 18:40 +02:00", """\
Labdien!

Sestdienas vakarā veicu pasūtījumu AMB-LV-118690 (austiņas Apple AirPods Pro 2, 249 EUR). Maksājuma lapa
uzkārās, un es vēlreiz nospiedu "Maksāt". Tagad internetbankā redzu divus maksājumus pa 249 EUR, bet pasūtījuma
apstiprinājumu saņēmu tikai vienu.

Lūdzu, atmaksājiet otro maksājumu.

Ar cieņu
Ilze Kalniņa
""", charset="windows-1257", cte="quoted-printable", mailer="Microsoft Outlook 15.0"),
            Mail("laura", "2026-11-02 08:30 +02:00", """\
Labdien, Ilze!

Paldies, ka uzrakstījāt, un atvainojos par sagādātajām neērtībām. Sestdienas vakarā mūsu maksājumu pakalpojumu
sniedzējam bija darbības traucējumi, kuru dēļ daži maksājumi tika noņemti divreiz, arī jūsējais.

Šorīt atcēlu otro maksājumu par 249 EUR. Banka naudu atgriezīs 3–5 darba dienu laikā, jums nekas nav jādara.
Pasūtījums AMB-LV-118690 ir kārtībā un tiks nosūtīts šodien.

Ja piektdien joprojām redzēsiet abus maksājumus, atbildiet uz šo e-pastu, un es nosūtīšu atcelšanas
apstiprinājumu, ko iesniegt bankā.

Ar cieņu
""", quote="marker", why="clear apology with the next step"),
            Mail("c", "2026-11-02 09:15 +02:00", """\
Paldies par ātro atbildi!

Ilze
""", quote="outlook", mailer="Microsoft Outlook 15.0"),
        ],
    ),
    Thread(
        id="lv-marsrutetajs", lang="lv", mailbox="atbalsts-lv",
        customer=Customer("Māris Liepiņš", "maris.liepins@pasts.example"),
        subject="Maršrutētājs Aurora AX3000 vakaros pazaudē Wi-Fi",
        mails=[
            Mail("c", "2026-10-27 20:15 +02:00", """\
Labvakar!

Pirms mēneša pie jums nopirku Aurora AX3000 komplektu. Gandrīz katru vakaru Wi-Fi uz minūti vai divām pazūd
visām ierīcēm reizē. Televizors, kas pieslēgts ar kabeli, strādā bez pārtraukumiem. Abus moduļus jau vairākas
reizes restartēju.

Ko darīt?

Māris
"""),
            Mail("janis", "2026-10-28 14:50 +02:00", """\
Labdien!

Visticamāk, DFS: ja 5 GHz radio ir DFS kanālā un detektē radaru, tas iet CAC uz 60 s un visi klienti atvienojas.
Pārbaudiet backhaul RSSI, atslēdziet 160 MHz, MLO un band steering, nofiksējiet 36. vai 44. kanālu, 2,4 GHz
ielieciet 20 MHz. Ja nepalīdz, novelciet syslog un paskatieties deauth reason codes.

Ar cieņu
""", expect="unclear", why="jargon dump: DFS, CAC, RSSI, MLO, syslog, nothing about where or how"),
            Mail("c", "2026-10-28 18:30 +02:00", """\
Atvainojiet, bet es no tā gandrīz neko nesapratu. Kur tas viss ir jāmaina? Aurora lietotnē?
""", quote="marker"),
            Mail("janis", "2026-10-28 19:10 +02:00", """\
Kā jau iepriekš rakstīju, jānomaina kanāls. Tas taču ir elementāri. Acīmredzot vispirms jāieiet maršrutētāja
iestatījumos, tur arī viss ir.

Ar cieņu
""", quote="marker", expect="condescending",
                 why="'Kā jau iepriekš rakstīju', 'Tas taču ir elementāri', 'Acīmredzot'"),
            Mail("c", "2026-10-29 08:05 +02:00", """\
Ja jūs nevarat pateikt, kur tieši tas ir, es komplektu atdošu atpakaļ.
""", quote="marker"),
        ],
    ),
    Thread(
        id="lv-paka-kavejas", lang="lv", mailbox="atbalsts-lv",
        customer=Customer("Kristīne Balode", "kristine.balode@pasts.example"),
        subject="Pasūtījums AMB-LV-119377 joprojām nav pakomātā",
        mails=[
            Mail("c", "2026-11-12 08:10 +02:00", """\
Labdien!

Pasūtījumam AMB-LV-119377 (robots putekļsūcējs Roborock Q7) bija jābūt Omniva pakomātā otrdien. Izsekošanā
joprojām rakstīts "Sūtījums pieņemts šķirošanas centrā". Kur ir mana paka?

Kristīne Balode
"""),
            Mail("laura", "2026-11-12 11:05 +02:00", """\
Tā nav mūsu problēma. Paku Omnivai nodevām laikā, tāpēc sūdzieties viņiem.
""", expect="rude", why="'Tā nav mūsu problēma', sends the customer to the courier"),
            Mail("c", "2026-11-12 11:30 +02:00", """\
Preci es pirku no jums, nevis no Omnivas, un samaksāju jums 329 eiro. Lūdzu normālu atbildi.
""", quote="marker"),
            Mail("laura", "2026-11-13 08:50 +02:00", """\
Labdien, Kristīne!

Jums pilnīga taisnība, un es atvainojos. Rakstīt, ka "tā nav mūsu problēma", bija nepareizi: jūs pirkāt no
mums, un nogādāt paku līdz jums ir mūsu darbs. Pārbaudīju sūtījumu – tā bija muļķīga kļūda no mūsu puses: uz
etiķetes bija norādīts Liepājas pakomāts, nevis tas, kuru izvēlējāties jūs.

Omniva paku jau pāradresēja uz pakomātu Rīga Akropole. Tā būs tur rīt, 14. novembrī, līdz plkst. 12:00, un
saņemšanas kodu saņemsiet īsziņā. Piegādes maksu 3,99 EUR jums atmaksāju.

Ja rīt vakarā pakas vēl nebūs, uzrakstiet man, un es tūlīt nosūtīšu jaunu ar DPD kurjeru.

Ar cieņu
""", quote="marker", expect="none",
                 why="hard negative: apology quoting 'tā nav mūsu problēma' and 'muļķīga kļūda no mūsu puses'"),
        ],
    ),
    Thread(
        id="lv-atmaksa", lang="lv", mailbox="atbalsts-lv",
        customer=Customer("Edgars Krūmiņš", "edgars.krumins@pasts.example"),
        subject="Atmaksa par atgriezto pulksteni",
        mails=[
            Mail("c", "2026-11-04 20:10 +02:00", """\
Labdien!

23. oktobrī caur Omniva pakomātu atgriezu viedpulksteni Garmin Forerunner 265 (pasūtījums AMB-LV-117655). Nauda
vēl nav atgriezta. Lūdzu, pārbaudiet.

Edgars
"""),
            Mail("laura", "2026-11-05 09:30 +02:00", """\
Labdien!

Jautājums tiek izskatīts. Kad būs informācija, sazināsimies.

Ar cieņu
""", expect="unclear", why="vague non-answer, no status or date"),
            Mail("c", "2026-11-05 10:02 +02:00", """\
Cik ilgi tas vēl tiks izskatīts? Ir pagājušas jau divas nedēļas.
""", quote="marker"),
            Mail("laura", "2026-11-05 11:15 +02:00", """\
Labdien, Edgar!

Atvainojos, man vajadzēja uzreiz atbildēt konkrēti. Situācija ir šāda:

1. Mūsu noliktava pulksteni saņēma 26. oktobrī.
2. Pārbaude beidzās vakar, 4. novembrī, un viss ir kārtībā.
3. Šorīt nosūtīju atmaksu 449 EUR uz jūsu kontu LV80BANK0000435195001.

Bankas pārskaitījums parasti tiek ieskaitīts 1–2 darba dienu laikā, tātad līdz 9. novembrim nauda būs kontā.

Ar cieņu
""", quote="marker", why="specific steps and dates"),
        ],
    ),
    Thread(
        id="lv-piegades-adrese", lang="lv", mailbox="atbalsts-lv",
        customer=Customer("Gunta Ozoliņa", "gunta.ozolina@pasts.example"),
        subject="Jāmaina piegādes adrese",
        mails=[
            Mail("c", "2026-11-03 09:50 +02:00", """\
Labdien!

Vakar pasūtīju tējkannu Philips (pasūtījums AMB-LV-118905) un kļūdas pēc norādīju veco adresi. Vai var
piegādāt uz Brīvības ielu 88-14, Rīgā?

Gunta
"""),
            Mail("laura", "2026-11-03 10:20 +02:00", """\
Labdien, Gunta!

Jā, protams. Pasūtījums vēl nebija nosūtīts, tāpēc piegādes adresi nomainīju uz Brīvības ielu 88-14, Rīgā.
Apstiprinājumu ar jauno adresi saņemsiet e-pastā.

Kurjers zvanīs rīt starp plkst. 10:00 un 14:00.

Ar cieņu
""", quote="marker"),
            Mail("c", "2026-11-03 10:31 +02:00", """\
Liels paldies!
""", quote="marker"),
        ],
    ),
]

CHATS = [
    Chat(
        id="21534008519", lang="lv",
        customer=Customer("Līga Zariņa", "liga.zarina@pasts.example"), customer_type="user",
        title="Nevaru ielogoties",
        parts=[
            Part("c", "2026-10-30 15:10 +02:00", "Labdien! Nomainīju telefonu un vairs nevaru ielogoties, jo "
                 "autentifikācijas lietotne palika vecajā telefonā."),
            Part("janis", "2026-10-30 15:13 +02:00", "Labdien, Līga! Saprotu, tas ir nepatīkami. Drošības dēļ "
                 "divpakāpju pieteikšanos es no šejienes atslēgt nevaru, bet piekļuvi varat atjaunot pati dažās "
                 "minūtēs:"),
            Part("janis", "2026-10-30 15:14 +02:00", "1. Pieteikšanās lapā ievadiet e-pastu un paroli un spiediet "
                 "\"Nevaru izmantot autentifikācijas lietotni\".\n\n2. Uz jūsu e-pastu atnāks saite – atveriet to "
                 "jaunajā telefonā.\n\n3. Apstipriniet tās kartes pēdējos četrus ciparus, ar kuru maksājāt, un "
                 "noskenējiet jauno QR kodu lietotnē."),
            Part("c", "2026-10-30 15:22 +02:00", "Izdevās, paldies!"),
            Part("janis", "2026-10-30 15:22 +02:00", "Lūdzu! Jauku dienu!"),
            Part("janis", "2026-10-30 15:24 +02:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008877", lang="lv",
        customer=Customer("Santa Kalēja", "santa.kaleja@pasts.example"), customer_type="user",
        parts=[
            Part("c", "2026-11-12 16:18 +02:00", "Labdien, jaunais Samsung televizors neatrod manu Wi-Fi tīklu. "
                 "Telefons to redz bez problēmām."),
            Part("bot", "2026-11-12 16:18 +02:00", None, kind="assignment"),
            Part("dmitrijs", "2026-11-12 16:26 +02:00", "Acīmredzot jums vispirms maršrutētājā jāieslēdz 2,4 GHz "
                 "tīkls. To taču zina katrs, kam mājās ir Wi-Fi.", expect="condescending",
                 why="'Acīmredzot', 'To taču zina katrs'"),
            Part("c", "2026-11-12 16:27 +02:00", "Es nezinu, kā to izdarīt. Es neesmu tehniķe."),
            Part("dmitrijs", "2026-11-12 16:29 +02:00", "Mīļā, ja nezināt, tad pajautājiet kādam, kas zina. Man te "
                 "rinda ar klientiem.", expect="rude", why="pet name 'Mīļā', brushes the customer off"),
            Part("c", "2026-11-12 16:30 +02:00", "Paldies par neko."),
            Part("dmitrijs", "2026-11-12 16:31 +02:00", "Klientei jāieslēdz 2,4 GHz, rindā 14 čati.", kind="note"),
            Part("dmitrijs", "2026-11-12 16:31 +02:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534009512", lang="lv",
        customer=Customer("Artūrs Vītols", "arturs.vitols@pasts.example"), customer_type="user",
        title="Amberline Plus",
        parts=[
            Part("c", "2026-11-20 10:02 +02:00", "Labdien! Man noņēma 39 EUR par Amberline Plus pagarināšanu. Es "
                 "to vairs negribu, lūdzu, atmaksājiet visu."),
            Part("laura", "2026-11-20 10:05 +02:00", "Labdien, Artūr! Apskatīju jūsu kontu: abonements tika "
                 "pagarināts 1. novembrī, un kopš tā laika jau izmantotas divas bezmaksas piegādes."),
            Part("laura", "2026-11-20 10:06 +02:00", "Diemžēl pilnu summu atmaksāt nevaram, jo abonements jau ir "
                 "izmantots. Varu to šodien atcelt un atmaksāt neizmantoto daļu – 35,75 EUR – uz jūsu karti 5 darba "
                 "dienu laikā. Vai atcelt?", expect="none",
                 why="hard negative: firm, polite refusal ('Diemžēl ... nevaram') with an alternative"),
            Part("c", "2026-11-20 10:08 +02:00", "Labi, atceliet."),
            Part("laura", "2026-11-20 10:09 +02:00", "Atcēlu. Apstiprinājumu saņemsiet e-pastā. Jauku dienu!"),
            Part("laura", "2026-11-20 10:10 +02:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534009155", lang="lv",
        customer=Customer("Raivis Bērziņš", "raivis.berzins@pasts.example"), customer_type="lead",
        parts=[
            Part("c", "2026-11-16 15:36 +02:00", "Sveiki! Man mājās ir Tet optika. Vai Aurora AX3000 ar to "
                 "strādās?"),
            Part("janis", "2026-11-16 15:39 +02:00", "Sveiki, Raivi! Jā, strādās. Aurora pieslēdzas ar kabeli pie "
                 "Tet rūtera jebkura LAN porta un izveido savu Wi-Fi tīklu. Pirmajā palaišanā Aurora lietotnē "
                 "izvēlieties režīmu \"Piekļuves punkts\", tad Tet rūtera iestatījumos nekas nav jāmaina."),
            Part("c", "2026-11-16 15:40 +02:00", "Un Tet rūtera Wi-Fi jāizslēdz?"),
            Part("janis", "2026-11-16 15:42 +02:00", "Ieteicams, lai abi tīkli netraucētu viens otram. To var "
                 "izdarīt Tet rūtera pārvaldības lapā sadaļā Wi-Fi. Ja neizdodas, uzrakstiet, un es palīdzēšu soli "
                 "pa solim."),
            Part("c", "2026-11-16 15:43 +02:00", "Paldies, pasūtīšu."),
            Part("janis", "2026-11-16 15:44 +02:00", None, kind="close"),
        ],
    ),
]

CALLS = [
    Call(
        id="CALL-20261105-174005-LV", lang="lv", file="2026-11-05_lv_roborock.vtt",
        started="2026-11-05 17:40:05 +02:00", queue="technical-lv", customer_speaker="Klients",
        turns=[
            Turn("janis", "Amberline tehniskais atbalsts, Jānis klausās.", pause=1.0),
            Turn("Klients", "Labvakar. Nopirku pie jums robotu putekļsūcēju Roborock, un to nevar pieslēgt "
                 "lietotnei. Lietotne saka, ka ierīce nav atrasta."),
            Turn("janis", "Lasiet BUJ mūsu mājaslapā, tur tas viss ir aprakstīts. Man nav laika katram to stāstīt "
                 "pa telefonu.", expect="rude", why="'Lasiet BUJ' (read the FAQ), 'Man nav laika'"),
            Turn("Klients", "Es izlasīju, tur nekas nav par šo kļūdu."),
            Turn("janis", "Nu tad izlasiet vēlreiz, lēnām. Tur rakstīts, ka vajag 2,4 GHz tīklu. Tas nav nekas "
                 "sarežģīts.", expect="condescending", why="'izlasiet vēlreiz, lēnām', 'Tas nav nekas sarežģīts'"),
            Turn("Klients", "Labi, un kā lai es to izdaru?"),
            Turn("janis", "Maršrutētāja lietotnē ieslēdziet atsevišķu 2,4 GHz tīklu, pievienojiet telefonu tam un "
                 "tad Roborock lietotnē vēlreiz spiediet \"Pievienot ierīci\". Pēc tam telefonu varat atkal "
                 "pārslēgt uz parasto tīklu."),
            Turn("Klients", "Labi, pamēģināšu."),
        ],
    ),
    Call(
        id="CALL-20261119-143011-LV", lang="lv", file="2026-11-19_lv_aurora.vtt",
        started="2026-11-19 14:30:11 +02:00", queue="technical-lv", customer_speaker="Kliente",
        turns=[
            Turn("dmitrijs", "Amberline tehniskais atbalsts, Dmitrijs, labdien.", pause=1.2),
            Turn("Kliente", "Labdien. Aurora maršrutētājs vakaros atslēdzas, internets pazūd visām ierīcēm."),
            Turn("dmitrijs", "Nu, tas var būt kaut kas ar kanāliem, varbūt firmware, varbūt kaimiņi traucē. Grūti "
                 "pateikt.", expect="unclear", why="vague guesses, no next step"),
            Turn("Kliente", "Un ko man darīt?"),
            Turn("dmitrijs", "Pamēģiniet kaut ko pamainīt iestatījumos un paskatieties, vai kļūst labāk. Ja ne, tad "
                 "redzēsim.", expect="unclear", why="'pamēģiniet kaut ko pamainīt', 'tad redzēsim'"),
            Turn("Kliente", "Ko tieši pamainīt?"),
            Turn("dmitrijs", "Labi, konkrēti: Aurora lietotnē atveriet Wi-Fi, tad 5 GHz, tad Kanāls, izvēlieties 36 "
                 "un saglabājiet. Ja rīt vakarā atkal atslēgsies, zvaniet, un es noformēšu maiņu pret jaunu ierīci."),
            Turn("Kliente", "Paldies."),
        ],
    ),
]
