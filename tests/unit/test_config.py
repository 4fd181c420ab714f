"""Pipeline files: valid ones load; malformed ones name the file, the key, its line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_monitor.config import Settings, load_pipeline
from qa_monitor.errors import ConfigError, PipelineError

GOOD = """
name = "t"
agent_domains = ["help.example"]

[[teams]]
id = "billing"
name = "Billing"

[[agents]]
id = "anna"
name = "Anna"
team = "billing"
emails = ["anna@help.example"]

[[sources]]
name = "mail"
adapter = "mbox"
options = { path = "x.mbox" }

[thresholds.default]
rude = 0.6

[thresholds.languages.lv]
rude = 0.7
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "p.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_good_pipeline_loads(tmp_path: Path) -> None:
    spec = load_pipeline(write(tmp_path, GOOD))
    assert spec.source("mail").options == {"path": "x.mbox"}
    assert spec.threshold("rude", "lv") == 0.7
    assert spec.threshold("rude", "en") == 0.6
    assert spec.threshold("unclear", "en") is None


@pytest.mark.parametrize(("text", "key", "expected", "line"), [
    (GOOD.replace('adapter = "mbox"', 'adaptor = "mbox"'), "sources.0.adaptor", "unknown key", 17),
    (GOOD.replace('team = "billing"', 'team = "sales"'), "agents.0.team", "'sales' is not a declared team", 12),
    (GOOD.replace("rude = 0.6", "rude = 1.6"), "thresholds.rude", "between 0 and 1", 21),
    (GOOD.replace("rude = 0.6", "rudeness = 0.6"), "thresholds.rudeness", "a label", 21),
    (GOOD.replace('name = "mail"', 'name = "Mail box"'), "sources.0.name", "should match pattern", 16),
    (GOOD.replace('emails = ["anna@help.example"]', 'emails = "anna@help.example"'), "agents.0.emails",
     "valid list", 13),
    (GOOD + "\n[detectors\n", "(syntax)", "invalid TOML", 26),
])
def test_malformed_pipeline_names_file_key_line(tmp_path: Path, text: str, key: str, expected: str,
                                                line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PipelineError) as info:
        load_pipeline(path)
    err = info.value
    assert err.key == key
    assert expected in err.expected
    assert err.line == line
    assert str(path) in str(err)


def test_missing_pipeline_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_pipeline(tmp_path / "nope.toml")


def test_unknown_source_lists_known(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="known: mail"):
        load_pipeline(write(tmp_path, GOOD)).source("chat")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_MONITOR_DATABASE_URL", "sqlite:////tmp/x.db")
    monkeypatch.setenv("QA_MONITOR_ZENDESK_WEBHOOK_SECRET", "s3cret")
    s = Settings()
    assert s.database_url == "sqlite:////tmp/x.db"
    assert s.webhook_secret("zendesk") == "s3cret"
    assert s.webhook_secret("jira") is None


def test_retention_days_is_read_and_optional(tmp_path: Path) -> None:
    assert load_pipeline(write(tmp_path, GOOD)).retention_days is None
    assert load_pipeline(write(tmp_path, 'retention_days = 90\n' + GOOD)).retention_days == 90


@pytest.mark.parametrize(("value", "expected"), [
    ("0", "greater than or equal to 1"),
    ("-30", "greater than or equal to 1"),
    ('"90"', "valid integer"),            # a string is not read as a number
    ("1.5", "valid integer"),
    ('"90 days"', "valid integer"),
    ("true", "valid integer"),
])
def test_malformed_retention_days_names_its_line(tmp_path: Path, value: str, expected: str) -> None:
    # a blank line before the key: the line reported is the key's own, not the blank one above it
    path = write(tmp_path, f'name = "t"\n\nretention_days = {value}\n')
    with pytest.raises(PipelineError) as info:
        load_pipeline(path)
    assert (info.value.key, info.value.line) == ("retention_days", 3)
    assert expected in info.value.expected
