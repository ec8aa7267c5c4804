"""LRMX (.lrmx, 任免审批表 XML) import and export."""
