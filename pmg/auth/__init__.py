"""People: users, roles, login, sessions and throttling."""
