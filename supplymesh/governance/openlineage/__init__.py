"""OpenLineage for the mesh: every run's events, their datasets, and their check against the spec.

Public API:

- ``records``: ``MeshRun`` / ``AssetRun`` / ``Assertion``, what a run did in the mesh's terms
  (filled from Dagster's event log by ``orchestration.openlineage.run_log``);
- ``datasets``: ``DatasetCatalog`` (each asset's dataset: name, columns, dbt column lineage);
- ``events``: ``run_events`` (a run as OpenLineage run events, with the client's facet classes);
- ``emit``: ``emit_events`` (the run's JSON Lines file in ``MeshPaths.openlineage``, written
  once and whole, and a configured lineage server), ``run_file``;
- ``schemas``: ``event_errors`` / ``file_errors`` (the official JSON Schemas, resolved offline).

``openlineage-python`` is imported only by ``events`` and ``emit``: nothing a light ``mesh`` verb
imports reaches them.
"""
