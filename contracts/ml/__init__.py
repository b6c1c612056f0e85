"""Contracts of the ml domain's products (the model registry and its evidence)."""
