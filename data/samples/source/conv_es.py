"""Spanish conversations: customers in Spain."""

from model import Call, Chat, Customer, Mail, Part, Thread, Turn

THREADS = [
    Thread(
        id="es-cobro-duplicado", lang="es", mailbox="soporte-es",
        customer=Customer("Álvaro Gómez Prieto", "alvaro.gomez@correo.example"),
        subject="Me habéis cobrado dos veces el pedido AMB-ES-219774",
        mails=[
            Mail("c", "2026-11-01 22:40 +01:00", """\
Hola,

El sábado por la noche hice un pedido (AMB-ES-219774, un iPad de 10ª generación, 379 €). La página de pago se
quedó colgada y al final me ha llegado un solo correo de confirmación, pero en la app del banco veo dos cargos
de 379 €.

¿Me podéis devolver uno de los dos cuanto antes? Es bastante dinero.

Gracias,
Álvaro
"""),
            Mail("lucia", "2026-11-02 14:20 +01:00", """\
Hola, Álvaro:

Gracias por escribirnos y disculpe las molestias. El sábado por la noche nuestra pasarela de pago tuvo una
incidencia que duplicó algunos cargos, y el suyo es uno de ellos.

Esta mañana he anulado el cargo duplicado de 379 €. Su banco lo liberará en un plazo de 3 a 5 días hábiles; no
tiene que hacer nada más. El pedido AMB-ES-219774 no se ve afectado y sale hoy de nuestro almacén.

Si el viernes todavía ve los dos cargos, responda a este correo y le enviaré el justificante de la anulación
para que lo presente en su banco.

Un saludo,
""", quote="marker", form="alternative", why="clear apology with a concrete next step"),
            Mail("c", "2026-11-02 15:05 +01:00", """\
Perfecto, muchas gracias por la rapidez.

Álvaro
""", quote="marker"),
        ],
    ),
    Thread(
        id="es-portatil-roto", lang="es", mailbox="soporte-es",
        customer=Customer("Marta Sánchez Vidal", "marta.sanchez@correo.example"),
        subject="Portátil recibido con la pantalla rota",
        mails=[
            Mail("c", "2026-11-16 09:10 +01:00", """\
Buenos días:

Ayer recibí el portátil ASUS Vivobook 15 (pedido AMB-ES-221340). La caja de fuera estaba aplastada por una
esquina y, al abrirlo, la pantalla tiene una raja de lado a lado. Adjunto fotos de la caja y de la pantalla.

¿Cómo lo solucionamos? Lo necesito para trabajar.

Marta Sánchez
"""),
            Mail("javier", "2026-11-16 10:02 +01:00", """\
Buenos días:

No es problema nuestro. Los daños en el transporte son responsabilidad de la agencia, así que tiene que
reclamar directamente a SEUR. Nosotros el portátil lo enviamos en perfecto estado.

Saludos,
""", expect="rude", why="'No es problema nuestro', sends the customer away"),
            Mail("c", "2026-11-16 10:30 +01:00", """\
¿Perdona? El portátil os lo compré a vosotros, no a SEUR. Yo no tengo ningún contrato con la agencia. Quiero
que me lo cambiéis ya o que me devolváis el dinero.
""", quote="marker"),
            Mail("lucia", "2026-11-16 16:15 +01:00", """\
Estimada Marta:

Tiene toda la razón, y le pido disculpas. Decirle que "no es problema nuestro" estuvo fuera de lugar: nos
compró el portátil a nosotros y somos nosotros quienes tenemos que resolverlo. Además, revisando el envío he
visto que fue un error tonto por nuestra parte: salió sin el embalaje reforzado que usamos para portátiles.

Ya he preparado un portátil nuevo, que sale mañana por mensajería urgente (entrega el miércoles 18). El mismo
mensajero recogerá el dañado; solo tiene que dejarlo en su caja, no hace falta embalarlo de nuevo.

Si prefiere el reembolso de los 649 € en lugar del cambio, dígamelo y lo tramito hoy mismo.

Un cordial saludo,
""", quote="marker", expect="none",
                 why="hard negative: apology quoting 'no es problema nuestro' and 'error tonto por nuestra parte'"),
        ],
    ),
    Thread(
        id="es-router-cortes", lang="es", mailbox="soporte-es",
        customer=Customer("Pablo Navarro", "pablo.navarro@correo.example"),
        subject="El router Aurora se desconecta por las noches",
        mails=[
            Mail("c", "2026-10-26 21:30 +01:00", """\
Hola, buenas noches.

Os compré el router Aurora AX3000 hace un mes. Casi todas las noches, entre las 9 y las 11, se cae el wifi
durante un par de minutos. Los móviles y el portátil se desconectan a la vez. Ya lo he reiniciado varias veces.

¿Qué puedo hacer?

Pablo
"""),
            Mail("javier", "2026-10-27 09:40 +01:00", """\
Hola, Pablo:

Seguramente sea DFS: si la radio de 5 GHz está en un canal DFS y detecta radar, hace CAC y desasocia todos los
clientes. Revise el RSSI del backhaul, desactive 160 MHz, MLO y el band steering, fije el canal 36 o 44, ponga
2,4 GHz a 20 MHz y quite el modo de transición WPA3. Si persiste, saque el syslog y mire los reason codes de
deauth.

Saludos,
""", form="html", expect="unclear", why="HTML-only reply; jargon dump with no explanation of where or how"),
            Mail("c", "2026-10-27 12:00 +01:00", """\
Perdona, pero no he entendido casi nada. ¿Dónde se cambia todo eso? ¿En la app?

Pablo
""", quote="marker"),
            Mail("javier", "2026-10-27 12:45 +01:00", """\
Hola, Pablo:

Disculpe, tiene razón, me he puesto muy técnico. Se lo explico paso a paso; solo hay que cambiar una cosa:

1. Abra la app Aurora en el móvil y entre en Wi-Fi > 5 GHz > Canal.
2. Cambie "Automático" por el canal 36 y pulse Guardar.
3. El wifi se reiniciará durante un minuto.

El problema suele venir de que el router usa de noche un canal que comparte con radares meteorológicos y, cuando
detecta uno, tiene que dejar de emitir un momento. El canal 36 no tiene esa restricción.

Si mañana por la noche se vuelve a cortar, escríbame y le llamo para revisarlo juntos.

Un saludo,
""", quote="marker", why="clear, explains the jargon, offers the next step"),
        ],
    ),
    Thread(
        id="es-reembolso-devolucion", lang="es", mailbox="soporte-es",
        customer=Customer("Cristina Vidal Ramos", "cristina.vidal@correo.example"),
        subject="Reembolso de la devolución de la freidora",
        mails=[
            Mail("c", "2026-11-04 18:20 +01:00", """\
Hola:

Devolví la freidora de aire Cosori (pedido AMB-ES-218455) por Correos el 27 de octubre. ¿Cuándo me
devolveréis el dinero?

Gracias
"""),
            Mail("lucia", "2026-11-05 15:30 +01:00", """\
Hola, Cristina:

El reembolso se hace en un plazo máximo de 14 días desde que la devolución llega a nuestro almacén.

Un saludo,
"""),
            Mail("c", "2026-11-05 16:02 +01:00", """\
Ya, pero ¿ha llegado ya al almacén? Correos dice que se entregó el 30 de octubre y no sé si la habéis
recibido.
""", quote="marker"),
            Mail("lucia", "2026-11-05 17:48 +01:00", """\
Cristina:

Como ya le expliqué en mi anterior correo, el plazo es de 14 días. Es evidente que no se ha leído las
condiciones de devolución, que están bien claras en la web. Hasta que no pase ese plazo no hay nada que
reclamar.

Saludos,
""", quote="marker", expect="condescending",
                 why="'Como ya le expliqué', 'Es evidente que no se ha leído'; also ignores the question asked"),
            Mail("c", "2026-11-05 18:10 +01:00", """\
Solo preguntaba si la habíais recibido. No hacía falta contestar así.
""", quote="marker"),
        ],
    ),
    Thread(
        id="es-factura-nif", lang="es", mailbox="soporte-es",
        customer=Customer("Jorge Castillo", "jorge@reformascastillo.example"),
        subject="Factura con datos de empresa",
        mails=[
            Mail("c", "2026-11-10 12:15 +01:00", """\
Buenos días:

Compré dos tablets Samsung Galaxy Tab A9 para la empresa (pedido AMB-ES-220318) y se me olvidó poner los datos
fiscales. ¿Podéis cambiar la factura para que salga a nombre de Reformas Castillo S.L., NIF B12345674?

Gracias,
Jorge Castillo
Reformas Castillo S.L.
"""),
            Mail("lucia", "2026-11-10 16:40 +01:00", """\
Buenos días, Jorge:

Lamentablemente no podemos modificar una factura que ya está emitida; la normativa de facturación no lo permite.
Lo que sí puedo hacer es emitir una factura rectificativa que anule la anterior y una nueva a nombre de Reformas
Castillo S.L. con el NIF B12345674, y así podrá deducirse el IVA sin problema.

Si me confirma la dirección fiscal de la empresa, le envío las dos facturas mañana por la mañana.

Un cordial saludo,
""", expect="none", why="hard negative: firm, polite refusal ('Lamentablemente no podemos') with an alternative"),
            Mail("c", "2026-11-10 17:05 +01:00", """\
Perfecto. La dirección es Calle de la Industria 14, 46980 Paterna (Valencia).

Gracias,
Jorge
""", quote="marker"),
        ],
    ),
    Thread(
        id="es-cambio-direccion", lang="es", mailbox="soporte-es",
        customer=Customer("Lorena Gil", "lorena.gil@correo.example"),
        subject="Cambiar la dirección de entrega",
        mails=[
            Mail("c", "2026-11-18 14:50 +01:00", """\
Hola:

Acabo de hacer el pedido AMB-ES-221877 (unos auriculares Sony WF-1000XM5) y me he dado cuenta de que he puesto
la dirección de mi antiguo piso. ¿Se puede cambiar? La buena es Calle Mayor 12, 3º B, 50001 Zaragoza.

Gracias,
Lorena
"""),
            Mail("lucia", "2026-11-18 15:10 +01:00", """\
Hola, Lorena:

Sí, sin problema: el pedido aún no había salido del almacén, así que he cambiado la dirección de entrega a
Calle Mayor 12, 3º B, 50001 Zaragoza. Le llegará un correo de confirmación con la dirección nueva.

La entrega sigue prevista para el viernes 20. Si necesita algo más, aquí estamos.

Un saludo,
""", quote="marker", form="alternative"),
            Mail("c", "2026-11-18 15:22 +01:00", """\
¡Genial, muchas gracias!
""", quote="marker"),
        ],
    ),
]

CHATS = [
    Chat(
        id="21534008829", lang="es",
        customer=Customer("Nerea Etxeberria", "nerea.etxeberria@correo.example"), customer_type="user",
        parts=[
            Part("c", "2026-11-12 17:02 +01:00", "Hola, mi pedido AMB-ES-220981 tenía que llegar el martes y SEUR "
                 "pone \"en reparto\" desde hace tres días. Lo necesito para el viernes, es un regalo."),
            Part("bot", "2026-11-12 17:02 +01:00", None, kind="assignment"),
            Part("lucia", "2026-11-12 17:09 +01:00", "Pues si lo necesitaba para el viernes, haberlo pedido antes, "
                 "cariño. En plenas rebajas los envíos van como van.", expect="rude",
                 why="blames the customer, pet name 'cariño'"),
            Part("c", "2026-11-12 17:10 +01:00", "¿Perdona? Lo pedí el día 3, antes de las rebajas."),
            Part("lucia", "2026-11-12 17:14 +01:00", "Ya, bueno, se ha abierto una incidencia con la agencia y se "
                 "está gestionando. Ya se verá.", expect="unclear", why="vague: no date, no next step"),
            Part("lucia", "2026-11-12 17:15 +01:00", "Incidencia SEUR 88213 abierta.", kind="note"),
            Part("c", "2026-11-12 17:16 +01:00", "¿Y ya está? ¿Llegará el viernes o no?"),
            Part("lucia", "2026-11-12 17:40 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008455", lang="es",
        customer=Customer("Iker Martín", "iker.martin@correo.example"), customer_type="user",
        title="No puedo entrar en mi cuenta",
        parts=[
            Part("c", "2026-10-29 10:05 +01:00", "Buenas, he cambiado de móvil y ya no me llegan los códigos de "
                 "verificación para entrar en mi cuenta. ¿Me podéis quitar la verificación en dos pasos?"),
            Part("javier", "2026-10-29 10:08 +01:00", "Hola, Iker. Siento el lío. Por seguridad no puedo "
                 "desactivarla desde aquí, pero puede recuperar el acceso usted mismo en un par de minutos:"),
            Part("javier", "2026-10-29 10:09 +01:00", "1. En la página de acceso, ponga su correo y contraseña y "
                 "pulse \"No puedo usar mi aplicación de autenticación\".\n\n2. Le llegará un enlace a su correo; "
                 "ábralo en el móvil nuevo.\n\n3. Confirme los cuatro últimos dígitos de la tarjeta con la que "
                 "pagó y escanee el código QR nuevo con la app."),
            Part("c", "2026-10-29 10:15 +01:00", "Hecho, ya he entrado. ¡Gracias!"),
            Part("javier", "2026-10-29 10:16 +01:00", "¡Perfecto! Que tenga un buen día."),
            Part("javier", "2026-10-29 10:17 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534009201", lang="es",
        customer=Customer("Raúl Herrera", "raul.herrera@correo.example"), customer_type="lead",
        parts=[
            Part("c", "2026-11-17 11:20 +01:00", "Hola. Me compré el Xiaomi Redmi Note 13 Pro y no me hace la carga "
                 "rápida con el cargador de mi móvil anterior. ¿Está defectuoso?"),
            Part("javier", "2026-11-17 11:24 +01:00", "Obviamente necesita usar el cargador original de 67 W, eso lo "
                 "sabe cualquiera que haya tenido un móvil. No sé qué esperaba con un cargador viejo.",
                 expect="condescending", why="'Obviamente', 'eso lo sabe cualquiera', 'No sé qué esperaba'"),
            Part("c", "2026-11-17 11:25 +01:00", "Pues en la caja no venía ningún cargador."),
            Part("javier", "2026-11-17 11:29 +01:00", "Tiene razón, disculpe. Esta versión se vende sin cargador, "
                 "y el móvil no está defectuoso: con un cargador normal carga, pero más despacio. Para la carga "
                 "rápida de 67 W necesita el cargador oficial de Xiaomi, que tenemos por 29,99 €. Si lo quiere, le "
                 "dejo aplicado un 10 % de descuento en su cuenta hasta el domingo."),
            Part("c", "2026-11-17 11:31 +01:00", "Vale, gracias. Lo pido ahora."),
            Part("javier", "2026-11-17 11:32 +01:00", None, kind="close"),
        ],
    ),
    Chat(
        id="21534008588", lang="es",
        customer=Customer("Daniel Prieto", "daniel.prieto@correo.example"), customer_type="lead",
        parts=[
            Part("c", "2026-11-03 10:18 +01:00", "Hola, una pregunta antes de comprar: el portátil Lenovo IdeaPad "
                 "Slim 5 que tenéis, ¿viene con teclado español, con la ñ?"),
            Part("javier", "2026-11-03 10:20 +01:00", "Hola, Daniel. Sí: todos los portátiles que vendemos en la "
                 "tienda de España llevan teclado español (QWERTY con ñ y tecla de tilde). En la ficha del "
                 "producto lo verá en el apartado \"Teclado\"."),
            Part("c", "2026-11-03 10:21 +01:00", "Perfecto, y ¿trae Windows instalado?"),
            Part("javier", "2026-11-03 10:23 +01:00", "Sí, viene con Windows 11 Home ya activado. La primera vez que "
                 "lo encienda le pedirá crear o iniciar sesión con una cuenta de Microsoft; son unos diez minutos."),
            Part("c", "2026-11-03 10:24 +01:00", "Genial, gracias."),
            Part("javier", "2026-11-03 10:25 +01:00", None, kind="close"),
        ],
    ),
]

CALLS = [
    Call(
        id="CALL-20261112-101530-ES", lang="es", file="2026-11-12_es_tv-app.vtt",
        started="2026-11-12 10:15:30 +01:00", queue="technical-es", customer_speaker="Cliente",
        turns=[
            Turn("javier", "Amberline, soporte técnico, le atiende Javier.", pause=1.0),
            Turn("Cliente", "Hola, buenos días. Tengo una tele Samsung que os compré hace dos semanas y la app de "
                 "Movistar Plus no carga. Se queda la pantalla en negro."),
            Turn("javier", "Ya. Eso puede ser por muchas cosas: el DNS, el firmware, la región de la cuenta Samsung, "
                 "el Smart Hub... Depende. A veces pasa.", expect="unclear",
                 why="jargon list, 'Depende. A veces pasa.', no next step"),
            Turn("Cliente", "Vale, pero ¿qué tengo que hacer?"),
            Turn("javier", "Pues lo que haría cualquiera: reiniciar, actualizar, lo típico.",
                 expect="unclear+condescending", why="'lo que haría cualquiera', 'lo típico': no actual steps"),
            Turn("Cliente", "Ya la he reiniciado y está actualizada. Por eso llamo."),
            Turn("javier", "Mire, yo no soy adivino. Si sigue sin ir, mándenos un correo y ya veremos.",
                 expect="rude+unclear", why="'yo no soy adivino', 'ya veremos': brushes the caller off"),
            Turn("Cliente", "Pues vaya ayuda. Adiós."),
        ],
    ),
    Call(
        id="CALL-20261105-172012-ES", lang="es", file="2026-11-05_es_plus-renovacion.vtt",
        started="2026-11-05 17:20:12 +01:00", queue="billing-es", customer_speaker="Cliente",
        turns=[
            Turn("lucia", "Amberline, buenas tardes, le atiende Lucía. ¿En qué puedo ayudarle?", pause=1.1),
            Turn("Cliente", "Mire, di de baja Amberline Plus hace días y me habéis cobrado treinta y nueve euros "
                 "igualmente. Esto es una estafa."),
            Turn("lucia", "Entiendo que diga que es una estafa, y siento mucho el disgusto. ¿Me da su correo "
                 "electrónico o el número de cliente, por favor?", expect="none",
                 why="hard negative: repeats the customer's word 'estafa' to acknowledge it"),
            Turn("Cliente", "Teresa punto molina arroba correo punto example."),
            Turn("lucia", "Gracias, Teresa. Ya lo veo. La baja se registró el día dos, y la renovación automática "
                 "se cobró el día uno, un día antes.", pause=3.0),
            Turn("lucia", "Como la renovación se cobró antes de la baja y no ha usado ninguna ventaja desde "
                 "entonces, le devuelvo los treinta y nueve euros completos ahora mismo. Le llegarán a la tarjeta en "
                 "tres a cinco días hábiles y le envío el justificante por correo."),
            Turn("Cliente", "Ah, bueno. Pues gracias, la verdad."),
            Turn("lucia", "A usted. ¿Puedo ayudarle en algo más?"),
            Turn("Cliente", "No, nada más."),
            Turn("lucia", "Que tenga buena tarde, Teresa."),
        ],
    ),
]
