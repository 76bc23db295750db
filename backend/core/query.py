"""Query parameters of list endpoints, read strictly: a malformed one is a clear 400, never a
server error nor a filter that silently means something else."""

import re

from django.http import QueryDict
from rest_framework.exceptions import ValidationError

# ASCII digits only: to ``str.isdigit`` a superscript "²" is a digit, which ``int`` refuses (a
# server error), and so are other scripts' digits, which ``int`` reads as numbers. At most what
# a 64-bit column holds, which also keeps ``int`` far below its limit on digits (a longer
# string is another server error).
_WHOLE_NUMBER = re.compile("[0-9]{1,19}")
LARGEST_ID = 2**63 - 1


def whole_number(params: QueryDict, name: str, *, maximum: int = LARGEST_ID) -> int | None:
    """Query parameter ``name`` as a whole number from 0 to ``maximum`` (an id, by default),
    or None when it is absent or empty."""
    value = params.get(name, "")
    if not value:
        return None
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) > maximum:
        raise ValidationError({name: [f"Give a whole number from 0 to {maximum}."]})
    return int(value)
