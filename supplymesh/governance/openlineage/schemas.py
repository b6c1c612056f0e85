"""Every OpenLineage event the mesh emits, checked against the official JSON Schemas, offline.

The run event is validated by ``standards/openlineage/OpenLineage.json`` (spec 2-0-2); that
schema checks a facet only as a base facet (``_producer``, ``_schemaURL``), so each facet is
validated again by the schema of its own key (``facets/*.json`` each declare one key, e.g.
``schema`` -> ``SchemaDatasetFacet``). A facet no vendored schema declares is an error: a facet
that nothing checks would pass silently. The facet files refer to the core schema by its ``$id``
URL; a ``referencing.Registry`` of the vendored files resolves those references, so nothing is
fetched from the network. ``date-time``, ``uri`` and ``uuid`` formats are enforced (jsonschema
only asserts formats it is given checkers for).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
from referencing import Registry, Resource

from supplymesh.settings import PROJECT_ROOT

STANDARD_DIR = PROJECT_ROOT / "standards" / "openlineage"
# where each facet map sits in a run event, and so which facet keys it may hold
_FACET_MAPS = ("run", "job")


def _formats() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = dt.datetime.fromisoformat(value)
        return "T" in value.upper() and parsed.tzinfo is not None

    @checker.checks("uri", raises=ValueError)
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlparse(value).scheme)

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        return not isinstance(value, str) or bool(uuid.UUID(value))

    return checker


@cache
def _schemas() -> tuple[dict[str, Any], dict[str, str], Registry]:
    """The core schema, facet key -> facet schema ``$id``, and the registry of every file."""
    core = json.loads((STANDARD_DIR / "OpenLineage.json").read_text())
    resources = [(core["$id"], Resource.from_contents(core))]
    facet_ids: dict[str, str] = {}
    for path in sorted((STANDARD_DIR / "facets").glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
        for key in schema.get("properties", {}):
            facet_ids[key] = schema["$id"]
    return core, facet_ids, Registry().with_resources(resources)


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    _, _, registry = _schemas()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry, format_checker=_formats())


def _facet_maps(event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every facet map of an event, with where it is (for the error message)."""
    maps = [(part, (event.get(part) or {}).get("facets") or {}) for part in _FACET_MAPS]
    for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        for i, dataset in enumerate(event.get(side) or []):
            maps.append((f"{side}[{i}]", dataset.get("facets") or {}))
            maps.append((f"{side}[{i}].{extra}", dataset.get(extra) or {}))
    return maps


def event_errors(event: dict[str, Any]) -> list[str]:
    """What is wrong with one run event (as JSON), by the official schemas; empty when valid."""
    core, facet_ids, _ = _schemas()
    run_event = {"$ref": f"{core['$id']}#/$defs/RunEvent"}
    errors = [
        f"event: {e.json_path}: {e.message}" for e in _validator(run_event).iter_errors(event)
    ]
    for where, facets in _facet_maps(event):
        for key, facet in facets.items():
            if key not in facet_ids:
                errors.append(f"{where}.{key}: no OpenLineage facet schema declares {key!r}")
                continue
            check = _validator({"$ref": facet_ids[key]})
            errors += [f"{where}.{key}: {e.message}" for e in check.iter_errors({key: facet})]
    return errors


def file_errors(path: Path) -> list[str]:
    """``event_errors`` of every line of a JSON Lines file of events, each with its line."""
    errors = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        errors += [f"{path.name}:{number}: {e}" for e in event_errors(json.loads(line))]
    return errors
