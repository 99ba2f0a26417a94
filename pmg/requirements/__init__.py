"""Technical requirements: one catalog per cycle, loaded from a YAML file and versioned."""
