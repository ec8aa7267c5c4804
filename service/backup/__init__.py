"""`cadre backup` / `cadre restore`: a consistent dump, the attachment store and a signed-off manifest."""
