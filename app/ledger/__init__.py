"""The tamper-evident activity log: a hash chain every service write appends to."""
