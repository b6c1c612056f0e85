"""Pandera contracts: one ``DataFrameModel`` per product major version.

A contract is the single definition of a product version's columns: types, nullability, keys,
ranges and allowed values, plus each column's description and classification
(``Field(metadata={"classification": ...})``). Validation, catalog columns and Dagster column
schemas are all derived from it.
"""
