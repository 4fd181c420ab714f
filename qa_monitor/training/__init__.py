"""Training of the embedding heads: data loaders, splits, heads, calibration and thresholds."""
