"""Domain events of the children app, sent inside the transaction that caused them."""

from django.dispatch import Signal

# check: DuplicateCheck for the duty managers of check.raising_agency and
# check.holding_agency to look at.
possible_duplicate_found = Signal()
