"""The example payloads in api/examples validate against the webhook JSON Schemas in api/schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
API = Path(__file__).resolve().parents[3] / "api"
CASES = [("zendesk", "zendesk_ticket.json"), ("zendesk", "zendesk_comment_event.json"),
         ("freshdesk", "freshdesk_ticket.json"), ("jira", "jira_comment_created.json"),
         ("generic", "generic_ticket.json")]


@pytest.mark.parametrize(("provider", "example"), CASES)
def test_example_matches_schema(provider: str, example: str) -> None:
    schema = json.loads((API / "schemas" / f"{provider}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads((API / "examples" / example).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


def test_schema_rejects_a_ticket_without_messages() -> None:
    schema = json.loads((API / "schemas" / "generic.schema.json").read_text(encoding="utf-8"))
    data = json.loads((API / "examples" / "generic_ticket.json").read_text(encoding="utf-8"))
    data["messages"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(data)
