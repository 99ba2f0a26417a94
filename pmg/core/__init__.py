"""Shared building blocks: model mixins, domain errors, permissions, Jinja filters."""
