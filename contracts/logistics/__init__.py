"""Contracts of the logistics domain's products."""
