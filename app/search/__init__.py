"""Global search: one box in the header over the registers a user may read."""
