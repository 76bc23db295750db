"""Domain events of the consent app, sent inside the transaction that caused them.

Receivers (notifications) write their own rows in that same transaction, so an event is
delivered exactly when the change it reports is committed. Arguments are ids and records,
never personal data.
"""

from django.dispatch import Signal

# consent: ConsentRecord; agency_ids: recipient agencies whose disclosures ended;
# user_ids: individual recipients whose disclosures ended.
consent_withdrawn = Signal()
consent_expired = Signal()

# authorisation: OverrideAuthorisation waiting for a duty manager of authorisation.agency.
override_requested = Signal()
