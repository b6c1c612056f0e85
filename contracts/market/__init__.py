"""Contracts of the market domain's products."""
