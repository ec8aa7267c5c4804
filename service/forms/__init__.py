"""The 任免审批表 (appointment approval form): one cadre's form data, as PDF and as Word."""
