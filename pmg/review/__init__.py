"""Reviewing submitted versions: checklists, observations and decisions."""
