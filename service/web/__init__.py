"""Server-rendered Chinese web pages over the service layer (Jinja2, htmx, ECharts)."""
