"""Stand-ins for dbt's cross-database macros (``{{ dbt.datediff(...) }}``), for sqlfluff only.

sqlfluff renders the models with plain Jinja, where dbt's ``dbt`` namespace does not exist. Each
stand-in renders SQL that both linted dialects (duckdb, sparksql) parse, so the layout and style
rules see every model whole; what an engine really runs is dbt's dispatched macro.
"""


def type_string() -> str:
    """dbt.type_string: the engine's string type."""
    return "string"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    """dbt.datediff: whole ``datepart``s from ``first_date`` to ``second_date``."""
    return f"datediff({second_date}, {first_date})"


def dateadd(datepart: str, interval: object, from_date_or_timestamp: str) -> str:
    """dbt.dateadd: ``interval`` ``datepart``s after ``from_date_or_timestamp``."""
    return f"date_add({from_date_or_timestamp}, {interval})"
