"""qa-monitor: flags rude, condescending and unclear language in help-desk conversations."""

__version__ = "0.1.0"
