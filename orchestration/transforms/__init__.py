"""The dbt project as Dagster assets, and the dbt resource that runs it."""
