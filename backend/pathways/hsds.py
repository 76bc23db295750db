"""Open Referral HSDS 3.0 interchange: the directory as HSDS JSON, and HSDS JSON read back.

Export shape: ``{"hsds_version", "organizations", "services", "locations",
"service_at_locations"}``, each a list of HSDS 3.0 objects with flat id references. Import
accepts that, a single service, an organization with its services (and locations), or a list
of any of these. Each object is checked against the HSDS 3.0 schema (``hsds_schema/``).

Platform fields that HSDS has no term for travel in ``x_safeguarding`` on each service; HSDS
fields the platform does not use are kept in ``hsds_extra`` and given back on export.
Ids of the small nested objects (phones, schedules, ...) are derived from their parent's id,
so exporting twice gives the same document.
"""

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf.locale import LANG_INFO
from django.utils.encoding import iri_to_uri
from jsonschema import Draft202012Validator, FormatChecker

from agencies.models import Agency
from pathways.models import Location, OrganizationRecord, Service, ServiceAtLocation
from pathways.vocabulary import IntakeStatus, LocationType, NeedCategory, Urgency

HSDS_VERSION = "3.0"
EXTENSION = "x_safeguarding"
NEED_TAXONOMY = "Safeguarding platform need categories"
NEED_LINK_TYPE = "need_category"
SCHEMA_FILE = Path(__file__).parent / "hsds_schema" / "hsds-3.0.schema.json"
_NEED_TERMS = uuid.UUID("8f0c5a52-3c1e-4c1b-9a43-4d0e8f2b6a10")

KINDS = ("organization", "service", "location", "service_at_location")
BUNDLE_KEYS = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
}


class InvalidDocument(Exception):
    """The file as a whole is not acceptable HSDS; nothing is imported."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("The file is not valid HSDS 3.0 JSON.")
        self.errors = errors


# --- validation -------------------------------------------------------------------------

# An absolute URI (RFC 3986 section 4.3): a scheme, then only URI characters, "%" only as a
# percent-encoded octet. jsonschema checks the "uri" format only with an optional package
# installed; without this, any string would pass as a URI.
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:"  # scheme
    r"(?:[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*"
)


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def format_checker() -> FormatChecker:
    """jsonschema's format checks, with ``uri`` always checked."""
    checker = FormatChecker()
    checker.checks("uri")(_is_uri)
    return checker


@cache
def _validators() -> dict[str, Draft202012Validator]:
    schema = json.loads(SCHEMA_FILE.read_text())
    checker = format_checker()
    return {
        kind: Draft202012Validator({**schema, "$ref": f"#/$defs/{kind}"}, format_checker=checker)
        for kind in KINDS
    }


def _where(path: Iterator[Any] | Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validation_errors(kind: str, record: object) -> list[str]:
    """Schema errors of one HSDS object, located by path; submitted values are never echoed."""
    errors = []
    for error in sorted(_validators()[kind].iter_errors(record), key=lambda e: list(e.path)):
        where = _where(error.absolute_path)
        if error.validator == "required":
            # The message names the missing property (from the schema), never a value.
            text = error.message
        elif error.validator == "format":
            text = f"not a valid {error.validator_value}"
        elif error.validator == "enum":
            text = "must be one of " + ", ".join(map(str, error.validator_value))
        elif error.validator == "type":
            text = f"must be of type {error.validator_value}"
        else:
            text = f"fails the '{error.validator}' rule"
        errors.append(f"{where or '(object)'}: {text}")
    return errors


# --- reading a document -----------------------------------------------------------------


@dataclass
class Entry:
    """One HSDS object found in an import file, with where it was found."""

    kind: str
    where: str
    data: dict[str, Any]
    parent_id: str | None = None  # the organization or service it was nested in


@dataclass
class Collected:
    entries: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in KINDS})


def _classify(item: dict[str, Any]) -> str:
    if "services" in item or ("status" not in item and "organization_id" not in item):
        return "organization"
    return "service"


def collect(document: object) -> Collected:
    """Flatten a document into its HSDS objects, validating each; raise if any is invalid."""
    found = Collected()
    errors: list[str] = []

    def add(kind: str, where: str, item: object, parent_id: str | None = None) -> None:
        problems = validation_errors(kind, item)
        if problems:
            for problem in problems:
                text = f"{where}{problem.removeprefix('(object)')}".removeprefix(".")
                errors.append(f"(object){text}" if text.startswith(":") else text)
            return
        assert isinstance(item, dict)
        data = dict(item)
        if kind == "organization":
            for index, service in enumerate(data.pop("services", []) or []):
                add("service", f"{where}.services[{index}]", service, data["id"])
            for index, location in enumerate(data.get("locations") or []):
                add("location", f"{where}.locations[{index}]", location, data["id"])
            data.pop("locations", None)
        if kind == "service":
            nested_org = data.pop("organization", None)
            if nested_org is not None:
                add("organization", f"{where}.organization", nested_org)
                data.setdefault("organization_id", nested_org["id"])
            for index, link in enumerate(data.pop("service_at_locations", []) or []):
                add(
                    "service_at_location",
                    f"{where}.service_at_locations[{index}]",
                    link,
                    data["id"],
                )
        if kind == "service_at_location":
            nested_location = data.pop("location", None)
            if nested_location is not None:
                add("location", f"{where}.location", nested_location)
                data.setdefault("location_id", nested_location["id"])
            if parent_id is not None:
                data.setdefault("service_id", parent_id)
        if kind in ("service", "location") and parent_id is not None:
            data.setdefault("organization_id", parent_id)
        found.entries[kind].append(Entry(kind, where, data, parent_id))

    def top(item: object, where: str) -> None:
        if not isinstance(item, dict):
            errors.append(f"{where or '(file)'}: must be an HSDS object")
            return
        if "id" not in item and BUNDLE_KEYS.keys() & item.keys():
            for key, kind in BUNDLE_KEYS.items():
                values = item.get(key, [])
                base = f"{where}.{key}" if where else key
                if not isinstance(values, list):
                    errors.append(f"{base}: must be a list")
                    continue
                for index, value in enumerate(values):
                    add(kind, f"{base}[{index}]", value)
            return
        add(_classify(item), where, item)

    if isinstance(document, list):
        if not document:
            errors.append("(file): empty list")
        for index, item in enumerate(document):
            top(item, f"[{index}]")
    else:
        top(document, "")
    errors.extend(_duplicate_ids(found))
    if errors:
        raise InvalidDocument(errors)
    return found


def _duplicate_ids(found: Collected) -> list[str]:
    errors = []
    for kind, entries in found.entries.items():
        seen: dict[str, str] = {}
        for entry in entries:
            key = str(entry.data["id"]).lower()
            if key in seen and kind != "organization":
                errors.append(f"{entry.where}.id: same {kind} id as {seen[key]}")
            seen.setdefault(key, entry.where)
    return errors


# --- mapping HSDS objects to platform fields ----------------------------------------------


def _sub_id(parent: uuid.UUID | str, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(str(parent)), name))


def need_term_id(need: str) -> str:
    return str(uuid.uuid5(_NEED_TERMS, need))


def language_name(code: str) -> str:
    return LANG_INFO.get(code, {}).get("name", code)


def _need_of(attribute: dict[str, Any]) -> str | None:
    term = attribute.get("taxonomy_term") or {}
    code = term.get("code")
    if code in NeedCategory.values:
        return code
    by_id = {need_term_id(need): need for need in NeedCategory.values}
    return by_id.get(str(attribute.get("taxonomy_term_id", "")).lower())


def _first_with(items: list[dict[str, Any]], key: str) -> tuple[str, list[dict[str, Any]]]:
    """The ``key`` of the first item that has it, and the other items (kept verbatim)."""
    for index, item in enumerate(items):
        if item.get(key):
            return str(item[key]), items[:index] + items[index + 1 :]
    return "", items


SERVICE_KEYS = {
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "phones",
    "contacts",
    "schedules",
    "service_areas",
    "languages",
    "attributes",
    EXTENSION,
}


@dataclass
class ServiceFields:
    fields: dict[str, Any]
    need_categories: list[str]
    region_names: list[str]
    verified_by_username: str | None


def service_fields(data: dict[str, Any]) -> ServiceFields:
    """Platform fields from one HSDS service; raises ValueError with a reason if unusable."""
    extra = {key: value for key, value in data.items() if key not in SERVICE_KEYS}
    ext = data.get(EXTENSION) or {}
    if not isinstance(ext, dict):
        raise ValueError(f"{EXTENSION} must be an object")
    phone, other_phones = _first_with(list(data.get("phones") or []), "number")
    contact_name, other_contacts = _first_with(list(data.get("contacts") or []), "name")
    hours, other_schedules = _first_with(list(data.get("schedules") or []), "description")
    needs: list[str] = []
    other_attributes = []
    for attribute in data.get("attributes") or []:
        need = _need_of(attribute)
        if need:
            needs.append(need)
        else:
            other_attributes.append(attribute)
    for key, kept in (
        ("phones", other_phones),
        ("contacts", other_contacts),
        ("schedules", other_schedules),
        ("attributes", other_attributes),
    ):
        if kept:
            extra[key] = kept
    languages = [str(lang["code"]) for lang in data.get("languages") or [] if lang.get("code")]
    areas = [str(area.get("name") or "") for area in data.get("service_areas") or []]

    intake = ext.get("intake_status", IntakeStatus.ACCEPTING)
    if intake not in IntakeStatus.values:
        raise ValueError(f"{EXTENSION}.intake_status is not one of {', '.join(IntakeStatus)}")
    hours_by_urgency = ext.get("acknowledgement_hours") or {}
    fields: dict[str, Any] = {
        "name": data["name"],
        "alternate_name": data.get("alternate_name", ""),
        "description": data.get("description", ""),
        "url": data.get("url", ""),
        "email": data.get("email", ""),
        "is_active": data["status"] == "active",
        "eligibility_description": data.get("eligibility_description", ""),
        "minimum_age": _age(data.get("minimum_age"), "minimum_age"),
        "maximum_age": _age(data.get("maximum_age"), "maximum_age"),
        "phone": phone,
        "contact_name": contact_name,
        "opening_hours": hours,
        "languages": languages,
        "intake_status": intake,
        "last_verified_at": _verified_at(ext.get("last_verified_at"), data.get("assured_date")),
        "hsds_extra": extra,
    }
    for urgency in Urgency.values:
        value = hours_by_urgency.get(urgency)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 32767:
            raise ValueError(f"{EXTENSION}.acknowledgement_hours.{urgency} must be hours (1+)")
        fields[f"acknowledge_{urgency}_hours"] = value
    low, high = fields["minimum_age"], fields["maximum_age"]
    if low is not None and high is not None and low > high:
        raise ValueError("minimum_age is above maximum_age")
    if data.get("assurer_email") and not ext.get("last_verified_by"):
        # Not one of ours: keep the assurer's address as given, it names no platform user.
        extra["assurer_email"] = data["assurer_email"]
    return ServiceFields(fields, sorted(set(needs)), areas, ext.get("last_verified_by"))


def _age(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= 150:
        raise ValueError(f"{name} must be a whole number of years")
    return value


def _verified_at(exact: object, assured_date: object) -> datetime | None:
    try:
        if exact:
            moment = datetime.fromisoformat(str(exact))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if assured_date:
            day = datetime.fromisoformat(str(assured_date)[:10])
            return day.replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError("the verification date is not an ISO 8601 date") from exc
    return None


LOCATION_KEYS = {
    "id",
    "organization_id",
    "name",
    "description",
    "location_type",
    "url",
    "latitude",
    "longitude",
    "addresses",
}
ADDRESS_FIELDS = ("address_1", "city", "state_province", "postal_code", "country")


def location_fields(data: dict[str, Any]) -> dict[str, Any]:
    extra = {key: value for key, value in data.items() if key not in LOCATION_KEYS}
    addresses = list(data.get("addresses") or [])
    if data["location_type"] not in LocationType.values:
        # HSDS also has postal locations (a mailing address); the directory lists only places
        # where a service is delivered, in person or online.
        raise ValueError(f"location_type is not one of {', '.join(LocationType)}")
    fields: dict[str, Any] = {
        "name": data.get("name", ""),
        "description": data.get("description", ""),
        "location_type": data["location_type"],
        "url": data.get("url", ""),
        "latitude": data.get("latitude"),
        "longitude": data.get("longitude"),
    }
    address = addresses.pop(0) if addresses else {}
    for name in ADDRESS_FIELDS:
        fields[name] = address.get(name, "")
    if len(fields["country"]) > 2:
        raise ValueError("addresses[0].country must be an ISO 3166-1 two-letter code")
    leftover = {
        k: v
        for k, v in address.items()
        if k not in {*ADDRESS_FIELDS, "id", "location_id", "address_type"}
    }
    if leftover or address.get("address_type", "physical") != "physical":
        addresses.insert(0, address)
        for name in ADDRESS_FIELDS:
            fields[name] = ""
    if addresses:
        extra["addresses"] = addresses
    fields["hsds_extra"] = extra
    return fields


def service_at_location_fields(data: dict[str, Any]) -> dict[str, Any]:
    keys = {"id", "service_id", "location_id", "description"}
    return {
        "description": data.get("description", ""),
        "hsds_extra": {key: value for key, value in data.items() if key not in keys},
    }


ORGANIZATION_KEYS = {"id", "name", "description", "email", "website", "phones"}


def organization_default_description(agency: Agency) -> str:
    return f"{agency.get_kind_display()} — {agency.region.name}"


def organization_fields(data: dict[str, Any], agency: Agency) -> dict[str, Any]:
    description = data.get("description", "")
    if description == organization_default_description(agency):
        description = ""
    return {
        "description": description,
        "hsds_extra": {key: value for key, value in data.items() if key not in ORGANIZATION_KEYS},
    }


# --- export -----------------------------------------------------------------------------


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", None, [])}


def _uri(url: str) -> str:
    """A stored URL as an HSDS ``uri``: internationalised characters percent-encoded."""
    return iri_to_uri(url) if url else ""


def organization_json(agency: Agency, record: OrganizationRecord) -> dict[str, Any]:
    org_id = str(record.hsds_id)
    ours = _drop_empty(
        {
            "id": org_id,
            "name": agency.name,
            "description": record.description or organization_default_description(agency),
            "email": agency.email,
            "website": _uri(agency.website),
            "phones": [
                {"id": _sub_id(org_id, "phone"), "organization_id": org_id, "number": agency.phone}
            ]
            if agency.phone
            else [],
        }
    )
    return {**record.hsds_extra, **ours}


def service_json(service: Service, org_id: str) -> dict[str, Any]:
    sid = str(service.hsds_id)
    extra = dict(service.hsds_extra)
    kept = {
        key: list(extra.pop(key, [])) for key in ("phones", "contacts", "schedules", "attributes")
    }
    verifier = service.last_verified_by
    ours = _drop_empty(
        {
            "id": sid,
            "organization_id": org_id,
            "name": service.name,
            "alternate_name": service.alternate_name,
            "description": service.description,
            "url": _uri(service.url),
            "email": service.email,
            "status": "active" if service.is_active else "inactive",
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": service.last_verified_at.date().isoformat()
            if service.last_verified_at
            else None,
            "assurer_email": verifier.email if verifier is not None else None,
            "phones": (
                [{"id": _sub_id(sid, "phone"), "service_id": sid, "number": service.phone}]
                if service.phone
                else []
            )
            + kept["phones"],
            "contacts": (
                [{"id": _sub_id(sid, "contact"), "service_id": sid, "name": service.contact_name}]
                if service.contact_name
                else []
            )
            + kept["contacts"],
            "schedules": (
                [
                    {
                        "id": _sub_id(sid, "schedule"),
                        "service_id": sid,
                        "description": service.opening_hours,
                    }
                ]
                if service.opening_hours
                else []
            )
            + kept["schedules"],
            "service_areas": [
                {"id": _sub_id(sid, f"area:{region.code}"), "service_id": sid, "name": region.name}
                for region in service.service_areas.all()
            ],
            "languages": [
                {
                    "id": _sub_id(sid, f"language:{code}"),
                    "service_id": sid,
                    "code": code,
                    "name": language_name(code),
                }
                for code in service.languages
            ],
            "attributes": [_need_attribute(sid, need) for need in service.need_categories]
            + kept["attributes"],
        }
    )
    ours[EXTENSION] = {
        "intake_status": service.intake_status,
        "acknowledgement_hours": {u: service.acknowledgement_hours(u) for u in Urgency.values},
        "last_verified_at": service.last_verified_at.isoformat()
        if service.last_verified_at
        else None,
        "last_verified_by": verifier.get_username() if verifier is not None else None,
    }
    return {**extra, **ours}


def _need_attribute(sid: str, need: str) -> dict[str, Any]:
    term_id = need_term_id(need)
    label = NeedCategory(need).label
    return {
        "id": _sub_id(sid, f"need:{need}"),
        "link_id": sid,
        "link_type": NEED_LINK_TYPE,
        "link_entity": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "code": need,
            "name": label,
            "description": label,
            "taxonomy": NEED_TAXONOMY,
        },
    }


def location_json(location: Location, org_id: str) -> dict[str, Any]:
    lid = str(location.hsds_id)
    extra = dict(location.hsds_extra)
    addresses = list(extra.pop("addresses", []))
    if any(getattr(location, name) for name in ADDRESS_FIELDS):
        ours_address = {"id": _sub_id(lid, "address"), "location_id": lid}
        ours_address.update({name: getattr(location, name) for name in ADDRESS_FIELDS})
        ours_address["address_type"] = "physical"
        addresses.insert(0, ours_address)
    ours = _drop_empty(
        {
            "id": lid,
            "organization_id": org_id,
            "name": location.name,
            "description": location.description,
            "location_type": location.location_type,
            "url": _uri(location.url),
            "latitude": location.latitude,
            "longitude": location.longitude,
            "addresses": addresses,
        }
    )
    return {**extra, **ours}


def service_at_location_json(link: ServiceAtLocation) -> dict[str, Any]:
    ours = _drop_empty(
        {
            "id": str(link.hsds_id),
            "service_id": str(link.service.hsds_id),
            "location_id": str(link.location.hsds_id),
            "description": link.description,
        }
    )
    return {**link.hsds_extra, **ours}


def export_directory(records: dict[int, OrganizationRecord]) -> dict[str, Any]:
    """The whole directory as one HSDS 3.0 document (``records``: agency id → its record)."""
    services = (
        Service.objects.select_related("agency", "last_verified_by")
        .prefetch_related("needs", "service_areas")
        .order_by("agency__name", "name", "pk")
    )
    locations = Location.objects.select_related("agency").order_by("agency__name", "name", "pk")
    links = ServiceAtLocation.objects.select_related("service", "location").order_by("pk")
    agencies = (
        Agency.objects.filter(pk__in=records.keys()).select_related("region").order_by("name")
    )
    return {
        "hsds_version": HSDS_VERSION,
        "organizations": [organization_json(agency, records[agency.pk]) for agency in agencies],
        "services": [service_json(s, str(records[s.agency_id].hsds_id)) for s in services],
        "locations": [location_json(loc, str(records[loc.agency_id].hsds_id)) for loc in locations],
        "service_at_locations": [service_at_location_json(link) for link in links],
    }
