"""``manage.py rotate_encryption_keys``: re-encrypt everything, then retire the old key."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from core import crypto, key_rotation
from tests.core.stored import assert_same, read_raw, write_raw

DOB = datetime.date(2012, 3, 4)
ENCRYPTED = ("first_name", "last_name", "date_of_birth", "details")


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=out)
    return out.getvalue()


def make_people(Person, count):
    return [
        Person.objects.create(
            first_name=f"Given{n}",
            last_name=f"Family{n}",
            date_of_birth=DOB if n % 2 else None,
            details={"n": n} if n % 3 else None,
        )
        for n in range(count)
    ]


def key_ids(Person, person):
    return {
        crypto.key_id_of(value)
        for field in ENCRYPTED
        if (value := read_raw(Person, person.pk, field)) is not None
    }


def assert_all_decrypt(Person, people):
    for n, person in enumerate(people):
        loaded = Person.objects.get(pk=person.pk)
        assert_same(
            (loaded.first_name, loaded.last_name, loaded.date_of_birth, loaded.details),
            (f"Given{n}", f"Family{n}", DOB if n % 2 else None, {"n": n} if n % 3 else None),
        )


def test_rotation_end_to_end(Person, Memo, keys):
    people = make_people(Person, 7)
    memo = Memo.objects.create(body="Memo text")
    indexes = {p.pk: (p.name_index, p.identity_index) for p in people}

    keys.use("k2", "k1")
    # While the ring holds both keys the application reads old values and writes new ones.
    assert_all_decrypt(Person, people)
    people[0].save()
    assert key_ids(Person, people[0]) == {"k2"}
    output = rotate("--batch-size", "3")
    # 7 rows: 14 names, 3 dates of birth, 4 details; the saved row is done: 6 rows left.
    assert "EncryptionTestPerson: 19 value(s) re-encrypted in 2 batch(es)" in output
    assert "EncryptionTestMemo: 1 value(s) re-encrypted in 1 batch(es)" in output
    leaked = "Given" in output or "Memo text" in output or "v1:" in output
    assert not leaked
    assert all(key_ids(Person, person) == {"k2"} for person in people)

    keys.use("k2")
    assert_all_decrypt(Person, people)
    assert_same(Memo.objects.get(pk=memo.pk).body, "Memo text")
    for person in Person.objects.all():
        assert (person.name_index, person.identity_index) == indexes[person.pk]

    again = rotate()
    assert "EncryptionTestPerson: 0 value(s) re-encrypted" in again


def test_an_interrupted_rotation_can_be_run_again(Person, keys, monkeypatch):
    people = make_people(Person, 6)
    keys.use("k2", "k1")

    output = rotate("--batch-size", "2", "--max-batches", "1")
    assert "more to do" in output
    assert "run the command again" in output
    rotated = [p for p in people if key_ids(Person, p) == {"k2"}]
    assert len(rotated) == 2

    # Kill the next run in the middle of its second batch, after that batch has rewritten a
    # row: the first batch stays done, the second rolls back whole.
    real_rotate_row = key_rotation._rotate_row
    rows_seen = []

    def rotate_row_then_die(*args, **kwargs):
        rows_seen.append(1)
        if len(rows_seen) == 4:
            raise KeyboardInterrupt
        return real_rotate_row(*args, **kwargs)

    monkeypatch.setattr(key_rotation, "_rotate_row", rotate_row_then_die)
    with pytest.raises(KeyboardInterrupt):
        rotate("--batch-size", "2")
    monkeypatch.setattr(key_rotation, "_rotate_row", real_rotate_row)
    by_key = [key_ids(Person, p) for p in people]
    assert by_key.count({"k2"}) == 4
    assert by_key.count({"k1"}) == 2

    rotate("--batch-size", "2")
    keys.use("k2")
    assert_all_decrypt(Person, people)


def test_undecryptable_values_are_reported_and_left_alone(Person, keys):
    people = make_people(Person, 3)
    broken = people[1]
    write_raw(Person, broken.pk, "last_name", "v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    keys.use("k2", "k1")
    err = io.StringIO()
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_encryption_keys", stdout=io.StringIO(), stderr=err)
    assert f"last_name of row {broken.pk}" in err.getvalue()
    assert read_raw(Person, broken.pk, "last_name").startswith("v1:k1:")
    assert crypto.key_id_of(read_raw(Person, broken.pk, "first_name")) == "k2"
    assert all(key_ids(Person, p) == {"k2"} for p in (people[0], people[2]))


def test_a_value_saved_during_rotation_is_not_overwritten(Person, keys, monkeypatch):
    (person,) = make_people(Person, 1)
    keys.use("k2", "k1")
    real_decrypt = crypto.decrypt

    def someone_saves_meanwhile(*args, **kwargs):
        monkeypatch.setattr(key_rotation.crypto, "decrypt", real_decrypt)
        concurrent = Person.objects.get(pk=person.pk)
        concurrent.first_name = "Saved meanwhile"
        concurrent.save()
        return real_decrypt(*args, **kwargs)

    monkeypatch.setattr(key_rotation.crypto, "decrypt", someone_saves_meanwhile)
    output = rotate()
    assert "1 row(s) saved meanwhile" in output
    assert_same(Person.objects.get(pk=person.pk).first_name, "Saved meanwhile")
    keys.use("k2")
    assert_same(Person.objects.get(pk=person.pk).last_name, "Family0")


def test_batch_size_must_be_positive():
    with pytest.raises(CommandError):
        call_command("rotate_encryption_keys", "--batch-size", "0")
