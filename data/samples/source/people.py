"""The fictional company behind the demo: Amberline, an online electronics retailer run from Riga.

Who the agents are (name, team, address, Intercom id) comes from pipelines/demo.toml, so the samples and the
pipeline cannot disagree; what only the texts need (languages, desk time zone, signature title) is kept here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DOMAIN = "amberline.example"
PIPELINE = Path(__file__).resolve().parents[3] / "pipelines" / "demo.toml"
SUPPORT_ADDRESS = {
    "en": "support@amberline.example",
    "es": "soporte@amberline.example",
    "pl": "pomoc@amberline.example",
    "ru": "support@amberline.example",
    "lv": "atbalsts@amberline.example",
}

_BILLING = {
    "en": "Orders & Billing, Amberline",
    "es": "Pedidos y facturación, Amberline",
    "pl": "Zamówienia i płatności, Amberline",
    "ru": "Отдел заказов и оплаты, Amberline",
    "lv": "Pasūtījumi un norēķini, Amberline",
}
_TECH = {
    "en": "Technical Support, Amberline",
    "es": "Soporte técnico, Amberline",
    "pl": "Wsparcie techniczne, Amberline",
    "ru": "Техническая поддержка, Amberline",
    "lv": "Tehniskais atbalsts, Amberline",
}

# agent id -> (languages, shift, UTC offset of the desk)
_DESKS = {
    "laura": (("lv", "ru"), "morning", "+02:00"),
    "janis": (("lv", "en"), "afternoon", "+02:00"),
    "agnieszka": (("pl", "en"), "morning", "+01:00"),
    "tomasz": (("pl",), "afternoon", "+01:00"),
    "lucia": (("es", "en"), "afternoon", "+01:00"),
    "javier": (("es",), "morning", "+01:00"),
    "dmitrijs": (("ru", "lv"), "afternoon", "+02:00"),
    "emily": (("en",), "morning", "+00:00"),
}


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    team: str
    email: str
    intercom_id: str
    languages: tuple[str, ...]
    shift: str
    tz: str


def _load() -> dict[str, Agent]:
    spec = tomllib.loads(PIPELINE.read_text(encoding="utf-8"))
    agents = {}
    for a in spec["agents"]:
        langs, shift, tz = _DESKS[a["id"]]
        intercom = next(h for h in a["handles"] if h.isdigit())
        agents[a["id"]] = Agent(a["id"], a["name"], a["team"], a["emails"][0], intercom, langs, shift, tz)
    return agents


AGENTS = _load()


def signature(agent: Agent, lang: str) -> str:
    """The agent's e-mail signature (the part after the '-- ' line)."""
    title = (_BILLING if agent.team == "billing" else _TECH)[lang]
    return f"{agent.name}\n{title}\nhttps://amberline.example/help"
