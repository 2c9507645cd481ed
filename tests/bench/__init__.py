"""`make bench`: the engine and the CLI measured against baselines, side by side."""
