"""The improvement plan (*plan de mejora*): actions closing the diagnostic's gaps, and targets."""
