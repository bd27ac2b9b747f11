"""Control catalogues: YAML schema, catalogue models and loading into the database."""
