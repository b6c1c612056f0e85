"""OpenLineage events of every run: read from Dagster's event log after the run
(``run_log``), built and sent by ``supplymesh.governance.openlineage`` (``emission``), for
``mesh materialize`` (``supplymesh.headless``) and for every other run (``sensors``)."""
