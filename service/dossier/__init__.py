"""Cadre dossiers assembled from PostgreSQL for one reader, and their PDF export."""
