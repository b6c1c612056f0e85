"""Contracts of the governance domain's products: the mesh's own quality history and audit trail."""
