"""Ministries, institutions and the import of the official catalog."""
