"""Blind indexes: exact-match search and duplicate detection over encrypted values."""

import datetime
import hashlib
import uuid

import pytest
from django.db import models
from django.db.models import Count
from django.test.utils import isolate_apps

from core.fields import BlindIndexField, EncryptedTextField, blind_lookup, normalise
from tests.core.stored import read_raw

DOB = datetime.date(2012, 3, 4)


@pytest.mark.parametrize(
    "search",
    [
        "Jane Doe",
        "  jane   DOE ",
        "JANE\tdoe",
        "\uff2a\uff41\uff4e\uff45 \uff24\uff4f\uff45",
        "jane\u00a0doe",
    ],
    ids=["same", "case-and-spaces", "tab", "fullwidth", "no-break-space"],
)
def test_exact_match_after_normalisation(Person, keys, search):
    jane = Person.objects.create(first_name="Jane", last_name="Doe")
    Person.objects.create(first_name="Janet", last_name="Doe")
    first, last = search.split(maxsplit=1)
    found = Person.objects.filter(**blind_lookup(Person, "name_index", first, last))
    assert list(found) == [jane]


def test_combined_name_and_date_of_birth_index(Person, keys):
    jane = Person.objects.create(first_name="Jane", last_name="Doe", date_of_birth=DOB)
    Person.objects.create(first_name="Jane", last_name="Doe", date_of_birth=DOB.replace(day=5))
    by_date = blind_lookup(Person, "identity_index", "jane", "doe", DOB)
    by_text = blind_lookup(Person, "identity_index", "JANE", "Doe", "2012-03-04")
    assert list(Person.objects.filter(**by_date)) == [jane]
    assert by_text == by_date
    assert Person.objects.filter(**blind_lookup(Person, "name_index", "Jane", "Doe")).count() == 2


def test_blank_sources_are_not_indexed_and_match_nothing(Person, keys):
    nameless = Person.objects.create(first_name="", last_name="Doe")
    undated = Person.objects.create(first_name="Jane", last_name="Doe")
    assert nameless.name_index is None
    assert undated.identity_index is None
    assert undated.name_index is not None
    assert not Person.objects.filter(**blind_lookup(Person, "name_index", " ", "Doe")).exists()
    assert not Person.objects.filter(
        **blind_lookup(Person, "identity_index", "Jane", "Doe", None)
    ).exists()


def test_duplicates_are_found_by_grouping_on_the_index(Person, keys):
    for first, last in [("Jane", "Doe"), ("jane", " doe"), ("John", "Doe"), ("JANE", "DOE")]:
        Person.objects.create(first_name=first, last_name=last, date_of_birth=DOB)
    groups = (
        Person.objects.filter(identity_index__isnull=False)
        .values("identity_index")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
    )
    assert [group["rows"] for group in groups] == [3]


def test_the_index_is_a_keyed_hash_not_a_plain_one(Person, keys, settings):
    jane = Person.objects.create(first_name="Jane", last_name="Doe")
    stored = read_raw(Person, jane.pk, "name_index")
    plain_hashes = {
        hashlib.sha256(text.encode()).hexdigest()
        for text in ["Jane Doe", "jane doe", "janedoe", '["jane","doe"]', "jane", "Jane"]
    }
    assert len(stored) == 64
    assert stored not in plain_hashes
    assert "jane" not in stored
    # Per-field keys: the same sources give a different value in another index column.
    other = Person._meta.get_field("identity_index").digest_of(["Jane", "Doe", DOB])
    assert other != stored


def test_the_index_changes_when_a_source_changes(Person, keys):
    jane = Person.objects.create(first_name="Jane", last_name="Doe")
    jane.last_name = "Smith"
    jane.save()
    assert Person.objects.filter(**blind_lookup(Person, "name_index", "Jane", "Smith")).exists()
    assert not Person.objects.filter(**blind_lookup(Person, "name_index", "Jane", "Doe")).exists()


def test_update_fields_must_name_the_index_with_its_sources(Person, keys):
    jane = Person.objects.create(first_name="Jane", last_name="Doe")
    jane.last_name = "Smith"
    with pytest.raises(ValueError, match="name_index"):
        jane.save(update_fields=["last_name"])
    jane.save(update_fields=["last_name", "name_index", "identity_index"])
    assert Person.objects.filter(**blind_lookup(Person, "name_index", "Jane", "Smith")).exists()
    jane.save(update_fields=["note"])


def test_blind_lookup_needs_a_blind_index_and_one_value_per_source(Person, keys):
    with pytest.raises(TypeError):
        blind_lookup(Person, "note", "x")
    with pytest.raises(TypeError):
        blind_lookup(Person, "name_index", "only one")


def test_normalise():
    assert normalise("  \uff21\uff42\uff43 \n DEF\u2003 ") == "abc def"
    assert normalise("Straße") == "strasse"
    assert normalise(DOB) == "2012-03-04"
    assert normalise(7) == "7"
    with pytest.raises(TypeError):
        normalise({"a": 1})


def test_sources_are_checked():
    with isolate_apps("core"):

        class Unindexed(models.Model):  # noqa: DJ008  (only checked, never shown)
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            name = EncryptedTextField()
            no_sources = BlindIndexField()
            unknown_source = BlindIndexField(sources=["nickname"])
            good = BlindIndexField(sources=["name"])

            class Meta:
                app_label = "core"

        errors = [error for error in Unindexed.check() if error.id == "core.E103"]
        assert {error.obj.name for error in errors} == {"no_sources", "unknown_source"}


def test_deconstruct_round_trips():
    field = BlindIndexField(sources=["a", "b"])
    _name, path, args, kwargs = field.deconstruct()
    assert path == "core.fields.BlindIndexField"
    assert kwargs == {"sources": ["a", "b"], "db_index": True}
    rebuilt = BlindIndexField(*args, **kwargs)
    assert (rebuilt.sources, rebuilt.max_length, rebuilt.null, rebuilt.db_index) == (
        ("a", "b"),
        64,
        True,
        True,
    )
