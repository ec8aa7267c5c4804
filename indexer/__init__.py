"""The search indexer: consumes the outbox and keeps Meilisearch in step with PostgreSQL."""
