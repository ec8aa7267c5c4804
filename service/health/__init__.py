"""Liveness, readiness and the operator's status view."""
