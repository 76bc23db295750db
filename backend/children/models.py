"""The child or young person's record: personal fields encrypted, a pseudonymous reference.

Everything personal is encrypted at rest and bound to the row's UUID. Lists, notifications
and logs use only :attr:`Child.reference` (e.g. ``C-7K3F9Q``), random so that it says
nothing about the child, the agency or when the record was made. A record may start with
no identifying details at all (an anonymous contact) and be completed later.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Agency
from consent.models import DataCategory
from core.access import permission_models
from core.fields import BlindIndexField, EncryptedDateField, EncryptedJSONField, EncryptedTextField

# Which personal fields belong to which data category: a viewer sees a field only when the
# category was disclosed to their agency.
FIELDS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    DataCategory.IDENTITY: (
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "gender",
        "languages",
    ),
    DataCategory.CONTACT: ("phone", "email", "address", "guardian_contacts"),
}
# The categories a child record itself holds (health, narratives, plans live elsewhere).
CHILD_CATEGORIES: tuple[str, ...] = tuple(FIELDS_BY_CATEGORY)
DERIVED_FIELDS = ("is_anonymous", "match_name", "identity_index", "updated_at")
IDENTIFYING_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
)


class Child(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    given_name = EncryptedTextField(blank=True)
    family_name = EncryptedTextField(blank=True)
    preferred_name = EncryptedTextField(blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    gender = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    address = EncryptedTextField(blank=True)
    languages = EncryptedJSONField(default=list, blank=True)
    # [{"name", "relationship", "phone", "email"}]: other people's contact details.
    guardian_contacts = EncryptedJSONField(default=list, blank=True)
    # The full name normalised for matching (accents, punctuation, spacing and case do not
    # count), kept only to feed the index below.
    match_name = EncryptedTextField(null=True, blank=True, editable=False)
    # Keyed hash of match_name + date of birth, for duplicate detection; NULL until both
    # a full name and a date of birth are known.
    identity_index = BlindIndexField(sources=["match_name", "date_of_birth"])
    is_anonymous = models.BooleanField(default=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_by_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="children_recorded"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: object, **kwargs: object) -> None:
        self.is_anonymous = not any(getattr(self, name) for name in IDENTIFYING_FIELDS)
        self.match_name = match_name(self.given_name, self.family_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *DERIVED_FIELDS}
        super().save(*args, **kwargs)


def match_name(given_name: str | None, family_name: str | None) -> str | None:
    """The full name as duplicate detection compares it, or None unless both parts are known.

    "José  O'Neil" and "jose oneil" match; "Mary-Ann" and "Mary Ann" match.
    """
    parts = [_normalise_name(given_name or ""), _normalise_name(family_name or "")]
    if not all(parts):
        return None
    return " ".join(parts)


def _normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Apostrophes join rather than split: O'Neil and ONeil are one name.
    letters = re.sub("['\u2019`]", "", letters)
    return " ".join(re.sub(r"[\W_]+", " ", letters).split())


ChildUserObjectPermission, ChildGroupObjectPermission = permission_models("children.Child", "Child")


class DuplicateCheckStatus(models.TextChoices):
    OPEN = "open", "Open"
    SAME_CHILD = "same_child", "Same child"
    DIFFERENT_CHILD = "different_child", "Different child"


class DuplicateCheck(models.Model):
    """A possible duplicate the creator could not see: the duty managers of both agencies
    (the one that just recorded the child and the one holding the earlier record) check it."""

    new_child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    existing_child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raising_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=DuplicateCheckStatus.choices, default=DuplicateCheckStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["new_child", "existing_child"], name="duplicate_check_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"Possible duplicate {self.pk}"


DuplicateCheckUserPermission, DuplicateCheckGroupPermission = permission_models(
    "children.DuplicateCheck", "DuplicateCheck"
)
