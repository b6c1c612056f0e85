"""Central governance: checks on every product version and the governance products."""
