"""Contracts of the inventory domain's products."""
