"""Indicator history per institution and year (complaints, SAIP, procedures) and cycle targets."""
