"""English conversations: UK customers."""

from model import Call, Chat, Customer, Mail, Part, Thread, Turn

THREADS = [
    Thread(
        id="en-double-charge", lang="en", mailbox="support-en",
        customer=Customer("Oliver Bennett", "oliver.bennett@example.com"),
        subject="Charged twice for order AMB-UK-451207",
        mails=[
            Mail("c", "2026-11-01 21:14 +00:00", """\
Hello,

I placed an order on Saturday evening (AMB-UK-451207, a Sony WH-1000XM5 headset, £279.00). The payment page
froze, so I pressed "Pay" again. Now my banking app shows two payments of £279.00 to Amberline and I have only
one order confirmation.

Can you please refund the second payment? It has put me into my overdraft.

Thanks,
Oliver Bennett
""", mailer="Apple Mail (2.3774.200.91.1.1)"),
            Mail("support", "2026-11-01 21:14 +00:00", """\
Thank you for contacting Amberline. We have received your message and a member of our team will reply
within one working day. Your reference is AMB-CS-118302.

This is an automatic message, please do not reply to it.
""", auto=True),
            Mail("emily", "2026-11-02 08:47 +00:00", """\
Dear Oliver,

Thank you for writing to us, and I'm sorry about the trouble at checkout. Our card provider had a fault on
Saturday evening that caused some payments to be taken twice, and yours is one of them.

I have cancelled the duplicate payment of £279.00 this morning. Your bank should release it within 3 to 5
working days; you don't need to do anything else. Your order AMB-UK-451207 is not affected and will be
dispatched today.

If the second payment is still showing after Friday, just reply to this e-mail and I will send you the refund
reference for your bank.

Kind regards,
""", quote="marker", why="clear apology with a concrete next step"),
            Mail("c", "2026-11-02 09:30 +00:00", """\
Thanks Emily, that's very clear. Could you also send me a receipt showing only one payment? My bank asked for
one.

Oliver
""", quote="marker", mailer="Apple Mail (2.3774.200.91.1.1)"),
            Mail("emily", "2026-11-02 10:05 +00:00", """\
Hi Oliver,

Of course. I've attached the receipt for the single payment of £279.00 and the cancellation note for the
duplicate. Both show the same order number, so your bank can match them.

Best wishes,
"""),
        ],
    ),
    Thread(
        id="en-mesh-dropouts", lang="en", mailbox="support-en",
        customer=Customer("Priya Shah", "priya.shah@example.org"),
        subject="Aurora AX3000 mesh keeps dropping Wi-Fi every evening",
        mails=[
            Mail("c", "2026-10-27 19:42 +00:00", """\
Hi,

I bought the Aurora AX3000 mesh kit (two units) from you three weeks ago. Every evening between about 7 and 10
pm the Wi-Fi drops for a minute or two, several times. Laptops and phones all lose the connection at the same
time. The internet itself seems fine because the TV on a cable keeps working.

I've restarted both units a few times. What else can I do?

Priya
"""),
            Mail("janis", "2026-10-28 15:12 +02:00", """\
Hi Priya,

Most likely DFS. If the 5 GHz radio is on a DFS channel (52-144) and it detects radar it has to vacate the
channel and do CAC for 60 s, so all STAs disassociate. Also check the backhaul RSSI on the satellite is better
than -65 dBm, disable 160 MHz and MLO, set 2.4 GHz to 20 MHz, turn off WPA3 transition mode and band steering,
and pin 5 GHz to ch 36 or 44. If it still happens pull the syslog and check for deauth reason codes.

Regards,
""", expect="unclear", why="jargon dump: DFS, CAC, STAs, RSSI, MLO, no explanation of how or where"),
            Mail("c", "2026-10-28 18:20 +00:00", """\
Sorry, I have no idea what most of that means. Where do I find these settings? Is it in the Aurora app?

Priya
""", quote="marker"),
            Mail("janis", "2026-10-29 14:35 +02:00", """\
Priya,

As I already explained in my last e-mail, you need to change the channel. Obviously you need to log into the
router first, it's not rocket science. Everything I listed is in the settings, just have a look around.

Regards,
""", quote="marker", expect="condescending",
                 why="'As I already explained', 'Obviously you need to', 'not rocket science'"),
            Mail("c", "2026-10-29 20:02 +00:00", """\
I did "have a look around" and I don't want to break anything. If nobody can tell me where the setting is,
I'll return the kit instead.

Priya
""", quote="marker"),
        ],
    ),
    Thread(
        id="en-late-parcel", lang="en", mailbox="support-en",
        customer=Customer("George Whitfield", "g.whitfield@example.net"),
        subject="Order AMB-UK-448120 still not delivered - third time asking",
        mails=[
            Mail("c", "2026-11-12 08:55 +00:00", """\
Good morning,

This is the third time I am writing about order AMB-UK-448120 (Dyson V15 vacuum). The delivery date was
6 November. The DPD tracking has said "at the depot" since 7 November and nobody from Amberline has answered
my two previous e-mails.

I paid £549 for this. I would like to know today where it is, or I want my money back. You can reach me on
07700 900417.

George Whitfield
""", mailer="Microsoft Outlook 16.0"),
            Mail("lucia", "2026-11-12 15:40 +01:00", """\
Hello,

Not our problem, I'm afraid. Once the parcel is handed over to DPD it's their responsibility, so you need to
take it up with them. We can't chase every courier for every customer.

Regards,
""", expect="rude", why="'Not our problem', blames the courier, no help offered"),
            Mail("c", "2026-11-12 17:05 +00:00", """\
You sold it to me, you chose DPD, and you took my money. It is absolutely your problem. I expect a proper
answer from someone senior.
""", quote="outlook", mailer="Microsoft Outlook 16.0"),
            Mail("emily", "2026-11-13 08:20 +00:00", """\
Dear Mr Whitfield,

I'm sorry. You were told it was "not our problem", and that was wrong: you bought the vacuum from us, so
getting it to you is our job. I've looked into it this morning, and it was a stupid mistake on our side: the
label was printed with the wrong postcode (SW1A 2AB instead of SW1A 2BB), which is why DPD has been holding
the parcel.

I have corrected the address with DPD and paid for next-day delivery, so it should arrive tomorrow,
14 November, before 12:00. You will get a text from DPD with a one-hour slot. I have also refunded the
£4.99 delivery charge as an apology.

If it hasn't arrived by tomorrow afternoon, please reply here and I will refund the full £549 straight away.

Yours sincerely,
""", quote="outlook", expect="none",
                 why="hard negative: apology quoting 'not our problem' and 'stupid mistake on our side'"),
        ],
    ),
    Thread(
        id="en-refund-headphones", lang="en", mailbox="support-en",
        customer=Customer("Rachel Moore", "rachel.moore@example.com"),
        subject="Refund for returned headphones",
        mails=[
            Mail("c", "2026-11-03 12:10 +00:00", """\
Hi there,

I returned a pair of Bose QuietComfort Ultra headphones (order AMB-UK-446031) on 20 October using your
prepaid label. Royal Mail shows they were delivered to your returns centre on 22 October, but I haven't had a
refund yet. Could you check, please?

Many thanks,
Rachel
"""),
            Mail("agnieszka", "2026-11-04 09:15 +01:00", """\
Hello Rachel,

Thank you for your message. We are looking into it and will get back to you in due course. Refunds can take
some time depending on various factors.

Best regards,
""", expect="unclear", why="vague non-answer: no timeline, no status, no next step"),
            Mail("c", "2026-11-04 11:02 +00:00", """\
How long is "some time"? It has already been two weeks. What factors?

Rachel
""", quote="marker"),
            Mail("agnieszka", "2026-11-04 12:40 +01:00", """\
Hello Rachel,

You're right, I should have been specific, sorry. Here is where things stand:

1. Our returns centre received the headphones on 22 October.
2. They passed the inspection yesterday, 3 November.
3. I issued the refund of £449.95 to your Visa card ending 4417 this morning.

Card refunds usually appear within 3 to 5 working days, so you should see it by 11 November at the latest.
You will also get a confirmation e-mail with the refund number.

Best regards,
""", quote="marker", why="specific steps and dates"),
        ],
    ),
    Thread(
        id="en-2fa-lockout", lang="en", mailbox="support-en",
        customer=Customer("Hannah Lewis", "hannah.lewis@example.org"),
        subject="Locked out - new phone, no authenticator codes",
        mails=[
            Mail("c", "2026-11-10 13:05 +00:00", """\
Hello,

I changed my phone at the weekend and didn't move the authenticator app, so now I can't log in to my Amberline
account. I need to see an order and my invoices. Can you just turn off the two-step login for me? My e-mail
is this one.

Hannah Lewis
"""),
            Mail("janis", "2026-11-10 15:20 +02:00", """\
Hi Hannah,

Sorry you're locked out, that's frustrating. I'm afraid we can't switch off two-step login by e-mail: anyone
could write to us with your address, and the code is what keeps your saved cards safe.

Here's how to get back in yourself, it takes about five minutes:

1. On the login page, enter your e-mail and password, then choose "I can't use my authenticator".
2. We send a one-time link to this e-mail address. Open it on the new phone.
3. Confirm with the last four digits of the card you paid with, and scan the new QR code with your
   authenticator app.

If you don't have that card any more, reply here and I'll arrange a short video check instead.

Best,
""", expect="none", why="hard negative: a firm, polite refusal with a way forward"),
            Mail("c", "2026-11-10 16:02 +00:00", """\
That worked, I'm back in. Thank you!

Hannah
""", quote="marker", mailer="Sent from my iPhone"),
        ],
    ),
    Thread(
        id="en-price-drop", lang="en", mailbox="support-en",
        customer=Customer("Tom Hadley", "tom.hadley@example.net"),
        subject="Price dropped a week after I bought it",
        mails=[
            Mail("c", "2026-11-09 08:05 +00:00", """\
Hi,

I bought a Kindle Paperwhite from you on 2 November for £149.99 (order AMB-UK-452033) and today it's £129.99 on
your site. Is there any chance of getting the difference back?

Cheers,
Tom
"""),
            Mail("emily", "2026-11-09 09:20 +00:00", """\
Hi Tom,

Good news: our price promise covers drops within 14 days of delivery, and yours arrived on 4 November, so you
qualify. I've refunded the £20.00 difference to the card you paid with; it should show within 3 to 5 working
days.

You don't need to return anything or fill in a form. Enjoy the Kindle!

Best wishes,
""", quote="marker"),
            Mail("c", "2026-11-09 09:41 +00:00", """\
Brilliant, thank you!
""", quote="marker", mailer="Sent from my iPhone"),
        ],
    ),
]

CHATS = [
    Chat(
        id="21534008812", lang="en",
        customer=Customer("Daniel Hughes", "daniel.hughes@example.com"), customer_type="user",
        title="Travel eSIM charge",
        parts=[
            Part("c", "2026-11-12 16:08 +01:00", "Hi, I've just been charged £47.60 on top of my Travel eSIM Europe "
                 "10 GB pack. I was in Zurich for 3 days and used maybe 2 GB. What is this??"),
            Part("bot", "2026-11-12 16:08 +01:00", None, kind="assignment"),
            Part("lucia", "2026-11-12 16:11 +01:00", "Hello Daniel, thanks for waiting. I can see the charge. "
                 "Switzerland isn't covered by the Europe pack, so the data there was billed at the pay-as-you-go "
                 "rate of £0.02 per MB."),
            Part("c", "2026-11-12 16:13 +01:00", "Nobody told me that! The pack is called EUROPE. Switzerland IS in "
                 "Europe."),
            Part("lucia", "2026-11-12 16:15 +01:00", "As I already explained, the pack covers EU countries. "
                 "Switzerland isn't in the EU, which most people who travel there know. It's also in the small print "
                 "on the pack page, if you'd read it.", expect="condescending",
                 why="'As I already explained', 'which most people ... know', 'if you'd read it'"),
            Part("c", "2026-11-12 16:16 +01:00", "This is ridiculous. I want the charge removed. NOW."),
            Part("lucia", "2026-11-12 16:18 +01:00", "Shouting at me won't change the bill, love. The charge is "
                 "correct and it stays.", expect="rude", why="pet name 'love', dismissive"),
            Part("lucia", "2026-11-12 16:19 +01:00", "Customer angry about CH roaming, refused goodwill credit.",
                 kind="note"),
            Part("lucia", "2026-11-12 16:25 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008407", lang="en",
        customer=Customer("Mark Delaney", "mark.delaney@example.net"), customer_type="lead",
        parts=[
            Part("c", "2026-10-30 10:20 +00:00", "Hi, can I still cancel an order I made an hour ago? I ordered the "
                 "wrong colour of the Galaxy A55. Order AMB-UK-447902"),
            Part("emily", "2026-10-30 10:22 +00:00", "Hi Mark, yes, it hasn't left the warehouse yet, so I can "
                 "cancel it for you now. Would you like me to cancel it, or change it to the other colour?"),
            Part("c", "2026-10-30 10:23 +00:00", "Change it to the navy one please, same price I think?"),
            Part("emily", "2026-10-30 10:25 +00:00", "Done: your order is now for the Galaxy A55 in Awesome Navy, "
                 "same price, £399. You'll get an updated confirmation by e-mail in a few minutes and it still "
                 "ships today."),
            Part("c", "2026-10-30 10:25 +00:00", "Brilliant, thanks!"),
            Part("emily", "2026-10-30 10:26 +00:00", "You're welcome, have a nice weekend!"),
            Part("emily", "2026-10-30 10:27 +00:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534009377", lang="en",
        customer=Customer("Aisha Khan", "aisha.khan@example.org"), customer_type="user",
        title="TV can't see 5 GHz Wi-Fi",
        parts=[
            Part("c", "2026-11-18 17:26 +02:00", "My new LG C3 TV only finds my 2.4GHz network, not the 5GHz one. "
                 "The router is the Aurora AX3000 you sold me last month."),
            Part("bot", "2026-11-18 17:26 +02:00", None, kind="assignment"),
            Part("janis", "2026-11-18 17:30 +02:00", "Read the FAQ, it's literally the first question on the TV "
                 "page. We can't hold everyone's hand.", expect="rude",
                 why="'Read the FAQ', 'We can't hold everyone's hand'"),
            Part("c", "2026-11-18 17:31 +02:00", "I did read it. It says to \"check the channel\" but not how or "
                 "which one."),
            Part("janis", "2026-11-18 17:34 +02:00", "Sorry, fair point, the FAQ is vague there. Your TV only uses "
                 "5 GHz channels 36 to 48. In the Aurora app, go to Wi-Fi > 5 GHz > Channel, choose 36 and tap Save. "
                 "The Wi-Fi restarts for about a minute; then search for networks on the TV again and the 5 GHz one "
                 "should appear."),
            Part("c", "2026-11-18 17:40 +02:00", "ok it's there now. thanks"),
            Part("janis", "2026-11-18 17:41 +02:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008366", lang="en",
        customer=Customer("Sarah Whitmore", "accounts@whitmore-design.example"), customer_type="user",
        title="VAT invoice",
        parts=[
            Part("c", "2026-10-26 09:38 +00:00", "Morning! Could I get a VAT invoice for order AMB-UK-447310? I "
                 "forgot to tick the business box at checkout. Company is Whitmore Design Ltd, VAT GB123456789."),
            Part("emily", "2026-10-26 09:41 +00:00", "Good morning, Sarah. Of course. I've added Whitmore Design "
                 "Ltd and the VAT number to the order, and the VAT invoice is now under My orders > Invoices. I've "
                 "also e-mailed you a copy."),
            Part("c", "2026-10-26 09:43 +00:00", "Got it, thanks so much."),
            Part("emily", "2026-10-26 09:43 +00:00", "You're welcome. Have a good week!"),
            Part("emily", "2026-10-26 09:45 +00:00", None, kind="close"),
        ],
    ),
]

CALLS = [
    Call(
        id="CALL-20261029-110512-UK", lang="en", file="2026-10-29_uk_plus-cancellation.vtt",
        started="2026-10-29 11:05:12 +00:00", queue="billing-en", customer_speaker="Customer",
        turns=[
            Turn("emily", "Thank you for calling Amberline, this is Emily. How can I help?", pause=1.0),
            Turn("Customer", "Hi, yes. I want to cancel my Amberline Plus and get my money back. I paid thirty-nine "
                 "pounds in September and I've barely used it."),
            Turn("emily", "Of course, I can help with that. Could I have your order number, or the e-mail address "
                 "on the account?"),
            Turn("Customer", "It's james dot okafor at example dot com."),
            Turn("emily", "Thank you, James. I can see the membership started on the fourteenth of September. "
                 "I'm afraid I can't refund the full thirty-nine pounds, because the membership has already "
                 "covered free delivery on three orders. What I can do is cancel it today and refund the unused "
                 "part, which is twenty-nine pounds forty, to your card within five working days.", expect="none",
                 why="hard negative: firm, polite refusal with the alternative"),
            Turn("Customer", "Hm. That's not really what I wanted, but fine, go ahead."),
            Turn("emily", "I understand. I've cancelled it now, and you'll get a confirmation e-mail in a few "
                 "minutes. Is there anything else I can help with?"),
            Turn("Customer", "No, that's all."),
            Turn("emily", "Thanks for calling, James. Have a good day."),
        ],
    ),
    Call(
        id="CALL-20261119-164002-UK", lang="en", file="2026-11-19_uk_laptop-not-charging.vtt",
        started="2026-11-19 16:40:02 +02:00", queue="technical-en", customer_speaker="Customer",
        turns=[
            Turn("janis", "Amberline technical support, Jānis speaking.", pause=1.2),
            Turn("Customer", "Hi. My laptop won't charge any more. The light on the charger is on, but the battery "
                 "stays at zero per cent. It's the Lenovo IdeaPad Slim 5 I bought from you in March."),
            Turn("janis", "Okay. And you did actually plug the charger into the laptop, not just into the wall? "
                 "You'd be surprised how many people don't.", expect="condescending",
                 why="questions the customer's basic competence"),
            Turn("Customer", "Yes, of course I did. I'm not an idiot."),
            Turn("janis", "Right, so then it's probably a PD negotiation thing. Could be the e-marker in the cable, "
                 "could be the EC, could be the board. Hard to say. These things happen.", expect="unclear",
                 why="unexplained jargon, no next step"),
            Turn("Customer", "So what do I do?"),
            Turn("janis", "Well, you could try stuff. Or send it in. Depends, really.", expect="unclear",
                 why="vague non-answer"),
            Turn("Customer", "Try what stuff? It's under warranty."),
            Turn("janis", "Sorry, you're right, let me be clearer. Unplug the charger and hold the power button for "
                 "thirty seconds, then plug it in again. If the battery still doesn't charge, I'll open a warranty "
                 "repair right now and e-mail you a prepaid DPD label today.", pause=1.5),
            Turn("Customer", "Okay, I'll try that first. Thanks."),
        ],
    ),
]
