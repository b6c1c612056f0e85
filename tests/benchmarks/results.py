"""Results dicts shaped like `benchmarks.run`'s, for the tests of the table (no benchmark runs)."""

from __future__ import annotations


def measurement(seconds: float, peak_mib: float = 800.0, ok: bool = True, load: float = 1.0):
    return {
        "seconds": seconds,
        "peak_mib": peak_mib,
        "returncode": 0 if ok else 1,
        "load_before": load,
        "load_after": load + 0.2,
    }


def materialize(seconds: float, peak_mib: float = 800.0, ok: bool = True, steps=None, **kw):
    return {
        **measurement(seconds, peak_mib, ok),
        "ok": ok,
        "run_id": "run-1",
        "model": kw.get("model", "trained (no champion yet)"),
        "steps": steps if steps is not None else {"dbt": seconds / 2},
    }


def scale(name: str, generate: float, first: float, second: float | None, lines: int, **kw):
    runs = {
        "first": materialize(
            first, kw.get("peak_mib", 800.0), kw.get("ok", True), kw.get("first_steps")
        )
    }
    if second is not None:
        runs["second"] = materialize(second, kw.get("peak_mib", 800.0), model="not trained")
    out = {
        "scale": name,
        "generate": measurement(generate, 300.0),
        "order_lines": lines,
        "runs": runs,
        "training_seconds": (kw.get("first_steps") or {}).get("forecast_model"),
        "model": kw.get("model"),
    }
    if "validation" in kw:
        out["validation"] = kw["validation"]
    return out


def validation(engine: float, pandas: float, polars: float, agreed: bool = True):
    def method(seconds, ok=True):
        return {"seconds": seconds, "rows": 5_000_000, "agreed": ok, "peak_mib": 500.0}

    return {
        "rows": 5_000_000,
        "rounds": 2,
        "load_average_before": (1.1, 1.0, 0.9),
        "load_average_after": (1.3, 1.0, 0.9),
        "methods": {
            "engine": method(engine),
            "pandas": method(pandas, agreed),
            "polars": method(polars),
        },
    }


def cli(help_s=0.2, validate=1.2, query=0.4, lookup=0.014):
    return {
        "runs": 5,
        "orders_rows": 276_356,
        "help_seconds": help_s,
        "validate_seconds": validate,
        "query_seconds": query,
        "lookup_p50_seconds": lookup,
        "load_average_before": (2.0, 1.0, 1.0),
        "load_average_after": (2.5, 1.0, 1.0),
    }
