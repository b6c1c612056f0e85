"""Dagster code for the mesh: a thin root (``definitions.py``) over one module per role."""
