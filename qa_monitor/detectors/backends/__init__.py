"""Optional detector backends on torch models loaded from local files: transformers classifiers and Detoxify."""
