"""The append-only audit trail: who did what, when, chained by hashes."""
