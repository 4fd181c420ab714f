"""Scoring: runs detectors over batches of agent messages, merges findings and applies thresholds."""
