"""Export bookkeeping: serial numbers, the exports register and audit, batch jobs and their worker."""
