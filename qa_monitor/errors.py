"""The project's exceptions: each carries a message a person can act on."""

from __future__ import annotations


class QAMonitorError(Exception):
    """Base class: the CLI prints `str(error)` on one line and exits non-zero."""

    exit_code = 1


class ConfigError(QAMonitorError):
    """Settings or a pipeline file are wrong."""

    exit_code = 2


class PipelineError(ConfigError):
    """A pipeline file is malformed: names the file, the key (with its line) and what was expected."""

    def __init__(self, path: str, key: str, expected: str, line: int | None = None) -> None:
        self.path, self.key, self.expected, self.line = path, key, expected, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: key '{key}': {expected}")


class StorageError(QAMonitorError):
    """The database cannot be reached or is not at the expected schema."""


class ParseError(QAMonitorError):
    """One raw payload could not be parsed; the payload is quarantined with this message as reason."""


class SourceError(QAMonitorError):
    """A source (mailbox, folder, export) cannot be read at all."""


class ModelError(QAMonitorError):
    """A model artefact is missing, corrupt or of the wrong version."""


class NotFoundError(QAMonitorError):
    """A requested record does not exist."""

