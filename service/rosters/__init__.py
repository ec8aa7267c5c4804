"""Excel rosters (花名册): export, template, import by ID number, cross-check against the registry."""
