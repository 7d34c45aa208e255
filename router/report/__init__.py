"""The weekly report (issue 16): figures from the store, rendered as HTML, CSV and XLSX,
mailed on Mondays; plus a synthetic demo history. Reads the store; never changes a ticket."""
