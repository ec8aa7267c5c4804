"""Deterministic demo and benchmark data: `await load_demo(conn)` on an empty, migrated database."""

from service.demo.generator import DemoDataExists, DemoSummary, load_demo
from service.demo.world import DEMO_PASSWORD, DEMO_USERNAMES

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "DemoDataExists", "DemoSummary", "load_demo"]
