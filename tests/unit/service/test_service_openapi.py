"""The committed api/openapi.json matches the app; regenerate with `python -m qa_monitor.service.openapi`."""

from __future__ import annotations

import json

from qa_monitor.service.openapi import SNAPSHOT, current_schema, render


def test_openapi_snapshot_is_current() -> None:
    committed = SNAPSHOT.read_text(encoding="utf-8")
    now = render(current_schema())
    if committed != now:
        old, new = json.loads(committed), json.loads(now)
        added = sorted(set(new["paths"]) - set(old["paths"]))
        removed = sorted(set(old["paths"]) - set(new["paths"]))
        raise AssertionError(f"api/openapi.json drifted from the app (paths added {added}, removed {removed}); "
                             "regenerate it: python -m qa_monitor.service.openapi")


def test_every_route_documents_bearer_auth_and_errors() -> None:
    schema = current_schema()
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if path == "/health":
                continue
            assert op.get("security") == [{"HTTPBearer": []}], (method, path)
            assert "401" in op["responses"] and "403" in op["responses"], (method, path)


def test_links_lead_to_operations_and_their_parameters() -> None:
    schema = current_schema()
    params = {op["operationId"]: {(p["in"], p["name"]) for p in op.get("parameters", [])}
              for ops in schema["paths"].values() for op in ops.values()}
    links = [(path, name, link) for path, ops in schema["paths"].items() for op in ops.values()
             for response in op["responses"].values() for name, link in response.get("links", {}).items()]
    assert {path for path, _, _ in links} >= {"/interactions", "/interactions/{interaction_id}", "/flags",
                                               "/flags/{flag_id}", "/flags/{flag_id}/review", "/agents",
                                               "/agents/{agent_id}", "/webhooks/zendesk"}
    for path, name, link in links:
        assert link["operationId"] in params, (path, name)
        for parameter, expression in link["parameters"].items():
            where, _, pname = parameter.rpartition(".")
            assert (where or "path", pname) in params[link["operationId"]], (path, name, parameter)
            assert expression.startswith("$response.body#/"), (path, name, expression)
