"""Write or check the committed OpenAPI snapshot: `python -m qa_monitor.service.openapi [--check]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from qa_monitor.config import PROJECT_ROOT, Settings

SNAPSHOT = PROJECT_ROOT / "api" / "openapi.json"


def current_schema() -> dict[str, Any]:
    """The OpenAPI document of the app as built now (no database is opened)."""
    from qa_monitor.service.app import create_app

    return create_app(Settings(database_url="sqlite://")).openapi()


def render(schema: dict[str, Any]) -> str:
    """The snapshot's text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the snapshot, or with --check exit 1 when it differs from the app."""
    args = sys.argv[1:] if argv is None else argv
    text = render(current_schema())
    path = Path(SNAPSHOT)
    if "--check" in args:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run `python -m qa_monitor.service.openapi`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
