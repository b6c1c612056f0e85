"""Contracts of the sales domain's products."""
