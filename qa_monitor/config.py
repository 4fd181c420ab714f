"""Settings from the environment, and pipeline specs loaded from TOML files in `pipelines/`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from qa_monitor.errors import ConfigError, PipelineError
from qa_monitor.records import LABELS, MAX_SHORT_ID

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "local" / "qa_monitor.db"


class Settings(BaseSettings):
    """Runtime settings, read from `QA_MONITOR_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="QA_MONITOR_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DB}"
    models_dir: Path = PROJECT_ROOT / "models"
    pipeline_file: Path | None = None
    max_body_bytes: int = 2_000_000
    sync_message_limit: int = 20
    webhook_max_age_s: int = 300
    zendesk_webhook_secret: SecretStr | None = None
    freshdesk_webhook_secret: SecretStr | None = None
    jira_webhook_secret: SecretStr | None = None
    generic_webhook_secret: SecretStr | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "qa-monitor@localhost"
    log_level: str = "INFO"
    # where a new API token is written when the command's output is not a terminal (a pipe, a log)
    token_dir: Path = DEFAULT_DB.parent / "tokens"

    def webhook_secret(self, provider: str) -> str | None:
        """The shared secret configured for one ticket system, or None."""
        value = getattr(self, f"{provider}_webhook_secret", None)
        return value.get_secret_value() if value else None


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamSpec(_Spec):
    id: str = Field(min_length=1, max_length=MAX_SHORT_ID)
    name: str


class AgentSpec(_Spec):
    id: str = Field(min_length=1, max_length=MAX_SHORT_ID)
    name: str
    team: str = Field(min_length=1, max_length=MAX_SHORT_ID)
    emails: list[str] = []
    handles: list[str] = Field(default=[], description="chat user ids, display names or speaker names")


class SourceSpec(_Spec):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=MAX_SHORT_ID)
    adapter: str
    options: dict[str, Any] = {}
    speakers: dict[str, str] = Field(default={}, description="speaker/channel label -> 'agent:<id>' or 'customer'")


class DetectorsSpec(_Spec):
    enabled: list[str] = ["markers"]
    options: dict[str, dict[str, Any]] = {}


class ThresholdsSpec(_Spec):
    default: dict[str, float] = {}
    languages: dict[str, dict[str, float]] = {}


class RedactionSpec(_Spec):
    enabled: bool = False
    kinds: list[str] = ["email", "phone", "card", "iban", "national_id"]


class ScheduleSpec(_Spec):
    cron: str
    timezone: str = "UTC"
    recipients: list[str]
    teams: list[str] = []
    formats: list[Literal["html", "pdf", "csv", "json"]] = ["html", "pdf", "csv"]


class WritebackSpec(_Spec):
    enabled: bool = False
    base_url: str = ""
    mode: Literal["note", "tag"] = "note"
    token_env: str = ""


class PipelineSpec(_Spec):
    """A parsed pipeline file: sources to read, who the agents are, detectors, thresholds, schedule."""

    name: str
    agent_domains: list[str] = []
    teams: list[TeamSpec] = []
    agents: list[AgentSpec] = []
    sources: list[SourceSpec] = []
    detectors: DetectorsSpec = DetectorsSpec()
    thresholds: ThresholdsSpec = ThresholdsSpec()
    redaction: RedactionSpec = RedactionSpec()
    schedule: ScheduleSpec | None = None
    writeback: dict[str, WritebackSpec] = {}
    retention_days: int | None = Field(default=None, strict=True, ge=1, description="days message text and raw "
                                       "payloads are kept (None: for ever)")
    path: Path | None = Field(default=None, exclude=True)

    def source(self, name: str) -> SourceSpec:
        """The source of that name, or a ConfigError listing the known ones."""
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"no source named '{name}' in {self.path} (known: {known})")

    def threshold(self, label: str, language: str) -> float | None:
        """The pipeline's threshold override for a label in a language, if any."""
        return self.thresholds.languages.get(language, {}).get(label, self.thresholds.default.get(label))


def _key_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The line (1-based) where a key is set, following array-of-tables indexes (`sources.1.name`)."""
    pos = 0
    parts = [str(x) for x in loc]
    for i, part in enumerate(parts[:-1]):
        if parts[i + 1].isdigit() and not part.isdigit():
            headers = list(re.finditer(rf"^\s*\[\[\s*{re.escape(part)}\s*\]\]", text[pos:], re.M))
            n = int(parts[i + 1])
            if n < len(headers):
                pos += headers[n].end()
    last = next((p for p in reversed(parts) if not p.isdigit()), "")
    m = re.compile(rf"^[ \t]*(\[\[?\s*)?([\w.\"-]*\.)?\"?{re.escape(last)}\"?\s*(=|\]|\.)", re.M).search(text, pos)
    return text.count("\n", 0, m.start()) + 1 if m else None


def load_pipeline(path: str | Path) -> PipelineSpec:
    """Read and validate a pipeline file; any problem is a PipelineError naming file, key and expectation."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: pipeline file not found") from None
    except UnicodeDecodeError as e:
        raise PipelineError(str(p), "(file)", f"expected UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise PipelineError(str(p), "(syntax)", f"invalid TOML: {e}", int(m.group(1)) if m else None) from None
    try:
        spec = PipelineSpec.model_validate(data)
    except ValidationError as e:
        # An unknown key usually explains a missing one (a misspelling): report it first.
        err = sorted(e.errors(), key=lambda x: x["type"] != "extra_forbidden")[0]
        key = ".".join(str(x) for x in err["loc"]) or "(root)"
        expected = err["msg"]
        if err["type"] == "extra_forbidden":
            expected = "unknown key (check its spelling)"
        raise PipelineError(str(p), key, expected, _key_line(text, tuple(err["loc"]))) from None
    _check_references(spec, p, text)
    spec.path = p
    return spec


def _check_references(spec: PipelineSpec, path: Path, text: str) -> None:
    teams = {t.id for t in spec.teams}
    for i, a in enumerate(spec.agents):
        if a.team not in teams:
            declared = ", ".join(sorted(teams)) or "none"
            raise PipelineError(str(path), f"agents.{i}.team", f"'{a.team}' is not a declared team id "
                                f"(declared: {declared})", _key_line(text, ("agents", i, "team")))
    for level in [spec.thresholds.default, *spec.thresholds.languages.values()]:
        for label, value in level.items():
            if label not in LABELS:
                raise PipelineError(str(path), f"thresholds.{label}", f"a label, one of {', '.join(LABELS)}",
                                    _key_line(text, ("thresholds", label)))
            if not 0.0 <= value <= 1.0:
                raise PipelineError(str(path), f"thresholds.{label}", "a number between 0 and 1",
                                    _key_line(text, ("thresholds", label)))
