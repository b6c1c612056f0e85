"""The product scaffolder (``mesh products new``): a first product definition from a sample.

``sample`` reads the producer's CSV or Parquet sample, ``inference`` turns pandera's inferred
schema into what a contract of this mesh says (types, nullability, key, lower bounds,
classification), ``render`` writes the product YAML, the contract and its test as text, and
``project`` writes them into a project tree (regenerating the dbt sources file) and makes the
landing folder. What a sample cannot tell is left to the owner: ``render.decisions``.
"""
