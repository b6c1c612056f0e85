"""Data product definitions: one folder per domain, one YAML file per product."""
