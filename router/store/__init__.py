"""The ticket store: engine, tables, migrations and every query."""
