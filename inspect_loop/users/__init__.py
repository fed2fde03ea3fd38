"""Users, roles, API tokens and the role × action matrix."""
