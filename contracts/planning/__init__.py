"""Contracts of the planning domain's products."""
