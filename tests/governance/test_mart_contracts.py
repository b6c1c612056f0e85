"""dbt public marts agree with the product contracts whose columns they carry on."""

from supplymesh.governance.mart_contracts import mart_violations


def manifest(columns: dict, enforced: bool = True) -> dict:
    return {
        "sources": {
            "source.supplymesh.catalog.products_v1": {
                "source_name": "catalog",
                "name": "products_v1",
            },
            "source.supplymesh.sales.orders_v2": {"source_name": "sales", "name": "orders_v2"},
        },
        "nodes": {
            "model.supplymesh.stg": {
                "name": "stg",
                "resource_type": "model",
                "access": "protected",
                "columns": {},
            },
            "model.supplymesh.dim_x": {
                "name": "dim_x",
                "resource_type": "model",
                "access": "public",
                "config": {"contract": {"enforced": enforced}},
                "columns": {name: {"data_type": t} for name, t in columns.items()},
            },
        },
        "parent_map": {
            "model.supplymesh.stg": [
                "source.supplymesh.catalog.products_v1",
                "source.supplymesh.sales.orders_v2",
            ],
            "model.supplymesh.dim_x": ["model.supplymesh.stg"],
        },
    }


def test_agreeing_mart_passes():
    assert (
        mart_violations(manifest({"sku": "varchar", "unit_cost": "double", "extra": "int"})) == []
    )


def test_type_drift_pii_and_missing_contract_are_violations():
    found = {
        (v.subject, v.message)
        for v in mart_violations(manifest({"unit_cost": "varchar", "customer_email": "varchar"}))
    }
    assert ("dim_x.unit_cost", "declared VARCHAR but catalog.products v1 types it DOUBLE") in found
    assert ("dim_x.customer_email", "carries pii from sales.orders v2") in found
    [unenforced] = mart_violations(manifest({"sku": "varchar"}, enforced=False))
    assert unenforced.message == "public mart without an enforced contract"


def test_the_portable_string_type_reads_as_the_contracts_varchar():
    """Marts declare `string` (both DuckDB and Spark accept it); it still has to agree."""
    assert mart_violations(manifest({"sku": "string", "unit_cost": "double"})) == []
    [drift] = mart_violations(manifest({"unit_cost": "string"}))
    assert drift.message == "declared VARCHAR but catalog.products v1 types it DOUBLE"
