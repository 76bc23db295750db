"""Check the platform's HSDS schema and export against the official HSDS schema files.

A development tool: the official files (repository ``openreferral/specification``, folder
``schema/``) are not part of this repository, so both checks take the folder holding them.

* ``keyword_differences``: every difference in the validation keywords (``type``, ``format``,
  ``enum``, ``required``, ``properties``, ``items``, ``$ref``) between the official object
  schemas and ``hsds_schema/hsds-3.0.schema.json``, minus ``LATER_VERSION_TERMS`` (terms a
  later HSDS release added; the platform exchanges HSDS 3.0).
* ``check_export``: the export validated against the official files themselves, Draft 2020-12
  with their relative ``$ref`` s resolved through a ``referencing`` registry and format
  checking on (``uri`` included, see ``hsds.format_checker``).
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pathways.hsds import BUNDLE_KEYS, SCHEMA_FILE, format_checker

KEYWORDS = ("type", "format", "enum", "required")
# Added by HSDS 3.1 (official changelog, "v3.1": new schemas and backwards compatible changes);
# absent from 3.0, so absent from the platform's 3.0 schema. The last entry is the tabular
# link of 3.1's ``service_at_location.service_areas``.
LATER_VERSION_TERMS = frozenset(
    {
        "url",
        "service_capacity",
        "unit",
        "organization.properties.additional_websites",
        "service.properties.additional_urls",
        "service.properties.capacities",
        "service_at_location.properties.service_areas",
        "attribute.properties.label",
        "service_area.properties.service_at_location_id",
    }
)


def load_official(folder: Path) -> dict[str, dict[str, Any]]:
    """The official object schemas of ``folder`` by object name (``service.json`` → service)."""
    schemas = {path.stem: json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))}
    if not {"organization", "service", "location", "service_at_location"} <= schemas.keys():
        raise FileNotFoundError(f"{folder} does not hold the HSDS schema files")
    return schemas


def _normalized(node: dict[str, Any], ref_name: Any) -> dict[str, Any]:
    out: dict[str, Any] = {key: node[key] for key in KEYWORDS if key in node}
    if "required" in out:
        out["required"] = sorted(out["required"])
    if "$ref" in node:
        out["$ref"] = ref_name(node["$ref"])
    if "items" in node:
        out["items"] = _normalized(node["items"], ref_name)
    if "properties" in node:
        out["properties"] = {
            name: _normalized(value, ref_name) for name, value in node["properties"].items()
        }
    return out


def _diff(path: str, official: Any, ours: Any) -> Iterator[str]:
    if path in LATER_VERSION_TERMS:
        return
    if isinstance(official, dict) and isinstance(ours, dict):
        for key in sorted(official.keys() | ours.keys()):
            yield from _diff(f"{path}.{key}", official.get(key), ours.get(key))
    elif official != ours:
        yield f"{path}: official {official!r}, platform {ours!r}"


def keyword_differences(folder: Path) -> list[str]:
    """Differences in validation keywords, official vs platform, one line each."""
    official = {
        name: _normalized(schema, lambda ref: ref.removesuffix(".json"))
        for name, schema in load_official(folder).items()
    }
    ours = {
        name: _normalized(schema, lambda ref: ref.removeprefix("#/$defs/"))
        for name, schema in json.loads(SCHEMA_FILE.read_text())["$defs"].items()
    }
    return [
        line
        for name in sorted(official.keys() | ours.keys())
        if name not in LATER_VERSION_TERMS
        for line in _diff(name, official.get(name), ours.get(name))
    ]


def official_validators(folder: Path) -> dict[str, Draft202012Validator]:
    """A validator per exchanged object, over the official files as they are."""
    schemas = load_official(folder)
    for path_stem, schema in schemas.items():
        schema.setdefault("$id", (folder.resolve() / f"{path_stem}.json").as_uri())
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in schemas.values()
    )
    checker = format_checker()
    return {
        kind: Draft202012Validator(schemas[kind], registry=registry, format_checker=checker)
        for kind in BUNDLE_KEYS.values()
    }


@dataclass
class ExportCheck:
    checked: int = 0
    invalid: int = 0
    errors: list[str] = field(default_factory=list)  # record kind, id and path; no values


def check_export(document: dict[str, Any], folder: Path) -> ExportCheck:
    """Every record of an export document validated against the official files."""
    validators = official_validators(folder)
    result = ExportCheck()
    for key, kind in BUNDLE_KEYS.items():
        for record in document[key]:
            result.checked += 1
            errors = [
                f"{kind} {record.get('id')} /{'/'.join(map(str, error.absolute_path))}: "
                f"fails '{error.validator}'"
                for error in validators[kind].iter_errors(record)
            ]
            result.invalid += bool(errors)
            result.errors += errors
    return result
