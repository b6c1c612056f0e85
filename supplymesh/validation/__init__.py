"""Contract validation: pandera contracts compiled to DuckDB, with per-rule evidence."""
