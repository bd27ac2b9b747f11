"""The overview page a user lands on after signing in."""
