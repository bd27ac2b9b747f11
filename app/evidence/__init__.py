"""Evidence files: content-addressed storage on disk, verified on every read."""
