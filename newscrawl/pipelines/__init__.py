"""Item pipelines, one per file: validate (100), dedupe (300), store (800)."""
