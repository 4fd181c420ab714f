"""`python -m qa_monitor` runs the CLI."""

from qa_monitor.cli import main

main()
