"""Contracts of the catalog domain's products."""
