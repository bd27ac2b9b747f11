"""Users, roles, the permission matrix, login and personal API tokens."""
