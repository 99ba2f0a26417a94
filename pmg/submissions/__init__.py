"""Submissions (diagnostic and plan): drafts, immutable versions and their state."""
