"""Contracts of the procurement domain's products."""
