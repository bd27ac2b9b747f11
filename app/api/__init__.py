"""The JSON API under /api/v1: bearer-token authentication and the OpenAPI document."""
