"""PMG cycles (one per year), their windows and the current cycle."""
