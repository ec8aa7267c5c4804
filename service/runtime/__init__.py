"""Runtime helpers: embedded PostgreSQL and a verified Meilisearch binary, for machines
without external services (development, tests, CI)."""
