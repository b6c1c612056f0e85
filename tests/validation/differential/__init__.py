"""The contract engine proven against pandera: the same rows per rule, on every contract.

Hypothesis draws frames that keep or break each rule of every contract of the registry (every
major); the engine runs on them as Parquet and CSV files, pandera on the same data as a user
reads it; per rule, both must name the same rows. The few deliberate differences are named in
``divergences.py`` and asserted in their own form.

Disagreements these tests found, and what was done (issue 11, item 4):

1. A NaN in a float column: pandera reads it as a null (it breaks ``nullable=False`` and no
   value check); the engine took it for a value, and DuckDB orders NaN above every number, so
   it broke ``le``/``lt`` checks and passed ``not_nullable``. Fixed in ``rules.py``
   (``null_sql``: NULL or NaN, for nullability, uniqueness and every value check).
2. A NaN in a Parquet file was invisible to DuckDB: writers leave NaN out of the min/max
   statistics and DuckDB trusted them (duckdb/duckdb#25521), folding ``isnan(x)`` and every
   comparison to false. Fixed in ``engine._read_source`` (``SET parquet_can_have_nan = true``).
3. ``str_matches`` runs Python's ``re`` in pandera, RE2 in DuckDB: ``\\d`` matched only ASCII
   digits in the engine (pandera: any Unicode digit, ``SO-١٢``), and ``$`` did not match before
   a final newline (pandera: ``'SO-1\\n'`` matches ``^SO-\\d+$``). Fixed in ``rules.re2_pattern``
   (``\\d`` -> ``\\p{Nd}``, ``$`` -> ``\\n?\\z``, ``\\Z`` -> ``\\z``); a pattern RE2 cannot say
   the same way (``\\w``, ``\\b``, lookarounds) runs as pandera's own check on pandas.
4. ``ratio_between`` with a zero denominator: pandas divides to an infinite ratio (out of the
   band), the engine's ``nullif`` made it a null (passing). Fixed in ``rules.py``: x / 0 fails,
   0 / 0 (NaN) passes, as in pandas.
5. Custom checks with no SQL form ran on the whole column including nulls; pandera drops nulls
   first (``ignore_na``) and lets a row whose checked columns are all null pass a frame check.
   Fixed in ``rule_counts.pandas_failures``.
6. CSV integers beyond 2**53 lost their last digits (typed through DOUBLE: 9007199254740993
   became ...992). Fixed in ``typed_view.cast_expression`` (the digits cast exactly first).
7. CSV dates and timestamps accepted DuckDB's special values ``infinity``, ``-infinity`` and
   ``epoch`` as days. Fixed in ``typed_view.cast_expression`` (a day is written with digits).

Kept as named divergences (``divergences.py``), each asserted: pandas cannot hold a null in an
int64 or bool column, so pandera also fails such a column's dtype; pandera's failure cases drop
nulls, so a duplicate whose key columns are all null fails its uniqueness check with no row
named, while the engine names the rows; a CSV is typed per value by the engine (``csv_texts``:
what reads as what, e.g. ``2.0`` and ``1e3`` are integers, ``yes``/``0`` booleans, ``2.5`` is no
integer), where pandera types a column as a whole.
"""
