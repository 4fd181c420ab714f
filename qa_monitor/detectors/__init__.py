"""Detectors: each turns Analyses into Findings; backends sit behind the same interface."""
