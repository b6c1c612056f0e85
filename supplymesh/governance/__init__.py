"""Federated governance: central rules as code over the domains' own product definitions.

One module per concern: the contract model and its ODCS form (``spec``, ``odcs``), the semver
gate (``diff``, ``gate``), central ``policies``, role-based ``access`` with ``pseudonym``-ised PII,
``quality`` metrics over time, the tamper-evident ``audit`` trail and ``lineage``; each product's
ODPS descriptor (``odps``) and ``scorecards``.
"""
