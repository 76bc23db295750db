"""Encrypted model fields: round trips, what the database holds, and every way to misuse them."""

import datetime
import secrets
import uuid

import pytest
from django.core.exceptions import FieldError
from django.db import models, transaction
from django.test.utils import isolate_apps

from core.crypto import DecryptionError
from core.fields import EncryptedDateField, EncryptedTextField, EncryptedValue
from tests.core.stored import assert_same, database_bytes, read_raw, write_raw

DOB = datetime.date(2012, 3, 4)


def canary() -> str:
    return f"Canary{secrets.token_hex(8)}"


def test_each_field_type_round_trips(Person, keys):
    details = {"phone": "+44 20 7946 0000", "languages": ["en", "pl"], "nested": {"n": 1}}
    person = Person.objects.create(
        first_name="Zoë", last_name="O'Neil-Łukasz", date_of_birth=DOB, details=details
    )
    loaded = Person.objects.get(pk=person.pk)
    assert_same(loaded.first_name, "Zoë")
    assert_same(loaded.last_name, "O'Neil-Łukasz")
    assert_same(loaded.date_of_birth, DOB)
    assert_same(loaded.details, details)
    for field in ("first_name", "last_name", "date_of_birth", "details"):
        assert read_raw(Person, person.pk, field).startswith("v1:k1:")


def test_none_is_null_and_the_empty_string_is_encrypted(Person, keys):
    person = Person.objects.create(first_name="", date_of_birth=None, details=None)
    assert read_raw(Person, person.pk, "date_of_birth") is None
    assert read_raw(Person, person.pk, "details") is None
    assert read_raw(Person, person.pk, "first_name").startswith("v1:k1:")
    loaded = Person.objects.get(pk=person.pk)
    assert loaded.first_name == ""
    assert loaded.date_of_birth is None
    assert loaded.details is None
    assert Person.objects.filter(date_of_birth__isnull=True).count() == 1
    assert Person.objects.filter(details__isnull=False).count() == 0


def test_a_date_given_as_text_is_stored_as_a_date(Person, keys):
    person = Person.objects.create(date_of_birth="2012-03-04")
    assert_same(Person.objects.get(pk=person.pk).date_of_birth, DOB)


def test_updates_re_encrypt_and_bulk_create_encrypts(Person, keys):
    person = Person.objects.create(first_name="Before")
    first_envelope = read_raw(Person, person.pk, "first_name")
    person.first_name = "After"
    person.save()
    assert read_raw(Person, person.pk, "first_name") != first_envelope
    assert_same(Person.objects.get(pk=person.pk).first_name, "After")

    created = Person.objects.bulk_create([Person(first_name=f"Bulk {n}") for n in range(3)])
    for number, row in enumerate(created):
        assert read_raw(Person, row.pk, "first_name").startswith("v1:k1:")
        assert_same(Person.objects.get(pk=row.pk).first_name, f"Bulk {number}")


def test_deferred_fields_and_refresh_decrypt(Person, keys):
    person = Person.objects.create(first_name="Deferred", last_name="Value")
    partial = Person.objects.only("pk", "first_name").get(pk=person.pk)
    assert_same(partial.last_name, "Value")
    partial.first_name = "Changed locally"
    partial.refresh_from_db()
    assert_same(partial.first_name, "Deferred")


def test_a_copy_saved_under_a_new_primary_key_is_re_encrypted_for_its_row(Person, keys):
    original = Person.objects.create(first_name="Copied", last_name="Row")
    copy = Person.objects.get(pk=original.pk)
    copy.pk = uuid.uuid4()
    copy._state.adding = True
    copy.save()
    loaded = Person.objects.get(pk=copy.pk)
    assert_same((loaded.first_name, loaded.last_name), ("Copied", "Row"))


def test_values_and_values_list_never_return_plaintext(Person, keys):
    person = Person.objects.create(first_name="Hidden", date_of_birth=DOB)
    row = Person.objects.values("pk", "first_name", "date_of_birth").get()
    assert isinstance(row["first_name"], EncryptedValue)
    assert row["first_name"] != "Hidden"
    assert "v1:" not in repr(row["first_name"])
    assert "v1:" not in str(row["first_name"])
    assert_same(row["first_name"].decrypt(row["pk"]), "Hidden")
    assert_same(row["date_of_birth"].decrypt(person.pk), DOB)
    (name,) = Person.objects.values_list("first_name", flat=True)
    assert isinstance(name, EncryptedValue)
    with pytest.raises(DecryptionError):
        name.decrypt(uuid.uuid4())


@pytest.mark.parametrize(
    "lookup",
    [{"first_name": "Jane"}, {"last_name__icontains": "x"}, {"date_of_birth__gte": DOB}],
    ids=["exact", "icontains", "gte"],
)
def test_lookups_other_than_isnull_are_refused(Person, keys, lookup):
    with pytest.raises(FieldError, match="blind_lookup"):
        list(Person.objects.filter(**lookup))


def test_writes_that_cannot_encrypt_are_refused(Person, keys):
    person = Person.objects.create(first_name="Kept")
    with pytest.raises(TypeError, match=r"Model\.save"), transaction.atomic():
        Person.objects.update(first_name="Plain")
    person.first_name = "Plain"
    with pytest.raises(TypeError, match=r"Model\.save"), transaction.atomic():
        Person.objects.bulk_update([person], ["first_name"])
    assert read_raw(Person, person.pk, "first_name").startswith("v1:")


def test_a_value_moved_to_another_row_does_not_decrypt(Person, keys):
    first = Person.objects.create(first_name="First")
    second = Person.objects.create(first_name="Second")
    write_raw(Person, second.pk, "first_name", read_raw(Person, first.pk, "first_name"))
    with pytest.raises(DecryptionError) as failed:
        _ = Person.objects.get(pk=second.pk).first_name
    assert "First" not in str(failed.value)
    assert read_raw(Person, first.pk, "first_name") not in str(failed.value)


def test_a_value_moved_to_another_column_does_not_decrypt(Person, keys):
    person = Person.objects.create(first_name="Given", last_name="Family")
    write_raw(Person, person.pk, "last_name", read_raw(Person, person.pk, "first_name"))
    loaded = Person.objects.get(pk=person.pk)
    assert_same(loaded.first_name, "Given")
    with pytest.raises(DecryptionError):
        _ = loaded.last_name


def test_tampered_and_plaintext_values_raise_instead_of_being_returned(Person, keys):
    person = Person.objects.create(first_name="Original", details={"a": 1})
    envelope = read_raw(Person, person.pk, "first_name")
    flipped = envelope[:-2] + ("A" if envelope[-2] != "A" else "B") + envelope[-1]
    write_raw(Person, person.pk, "first_name", flipped)
    write_raw(Person, person.pk, "details", '{"a": 1}')
    loaded = Person.objects.get(pk=person.pk)
    with pytest.raises(DecryptionError):
        _ = loaded.first_name
    with pytest.raises(DecryptionError):
        _ = loaded.details


def test_a_wrong_key_raises(Person, keys, settings):
    person = Person.objects.create(first_name="Keyed")
    keys.use("k2")
    with pytest.raises(DecryptionError, match="not in the ring"):
        _ = Person.objects.get(pk=person.pk).first_name
    keys.material["k1"] = keys.material["k1"].split(":")[0] + ":" + keys.material["k2"][3:]
    keys.use("k1")
    with pytest.raises(DecryptionError, match="does not authenticate"):
        _ = Person.objects.get(pk=person.pk).first_name


def test_the_raw_database_holds_no_plaintext(Person, Memo, keys):
    secret, control = canary(), canary()
    Person.objects.create(
        first_name=secret,
        last_name=f"{secret} {secret}",
        date_of_birth=DOB,
        details={"name": secret, "notes": [secret]},
        note=control,
    )
    Memo.objects.create(body=secret * 3)
    stored = database_bytes().lower()
    # The control, stored in a plain column, proves the scan sees the rows just written.
    control_found = control.lower().encode() in stored
    secret_found = secret.lower().encode() in stored
    assert control_found
    assert not secret_found


def test_an_auto_primary_key_is_refused_by_the_system_check():
    with isolate_apps("core"):

        class AutoKey(models.Model):  # noqa: DJ008  (only checked, never shown)
            name = EncryptedTextField()

            class Meta:
                app_label = "core"

        class UuidWithoutDefault(models.Model):  # noqa: DJ008
            id = models.UUIDField(primary_key=True)
            name = EncryptedTextField()

            class Meta:
                app_label = "core"

        class Good(models.Model):  # noqa: DJ008
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            name = EncryptedTextField()

            class Meta:
                app_label = "core"

        assert "core.E101" in {error.id for error in AutoKey.check()}
        assert "core.E101" in {error.id for error in UuidWithoutDefault.check()}
        assert not [error for error in Good.check() if error.id.startswith("core.")]


def test_indexes_uniqueness_and_database_defaults_are_refused_by_the_system_check():
    with isolate_apps("core"):

        class Indexed(models.Model):  # noqa: DJ008
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            unique_name = EncryptedTextField(unique=True)
            indexed_date = EncryptedDateField(db_index=True)
            defaulted = EncryptedTextField(db_default="x")

            class Meta:
                app_label = "core"

        errors = [error for error in Indexed.check() if error.id == "core.E102"]
        assert {error.obj.name for error in errors} == {"unique_name", "indexed_date", "defaulted"}
