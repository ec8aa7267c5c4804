"""Data quality: 到龄 under the 2025 retirement rules and 三龄两历一身份 consistency checks."""
