"""Pictures and reports of the latest plan: plots for the Dagster UI and ``mesh report``."""
