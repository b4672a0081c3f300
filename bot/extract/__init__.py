"""Contact extraction (placeholder until the extractor lands)."""
