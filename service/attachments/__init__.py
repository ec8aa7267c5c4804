"""Attachments: streamed, type-sniffed uploads in a content-addressed store, scoped downloads."""
