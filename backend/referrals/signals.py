"""Domain events of the referrals app, sent inside the transaction that caused them.

Other apps follow referrals through these (a case plan's action follows its referral)
without the referrals app knowing about them. Arguments are records and codes, never
personal data.
"""

from django.dispatch import Signal

# referral: Referral (locked, already in its new state); action: the action fired ("send",
# "accept", ...); from_status: the status before; actor: who fired it; agency: the agency
# they acted for.
referral_transitioned = Signal()
