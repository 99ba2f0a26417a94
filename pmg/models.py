"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from pmg.auth.models import LoginAttempt, User, user_institutions
from pmg.cycles.models import Cycle
from pmg.institutions.models import Institution, Ministry

__all__ = ["Cycle", "Institution", "LoginAttempt", "Ministry", "User", "user_institutions"]
