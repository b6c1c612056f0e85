"""Contracts of the network domain's products."""
