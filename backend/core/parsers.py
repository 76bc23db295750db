"""The API's JSON parser: DRF's, refusing any NUL character in the document.

PostgreSQL cannot store a NUL in text or JSON ("A string literal cannot contain NUL"), so one
reaching a query is a server error, and SQLite would store it silently. Refused here, once for
every endpoint, whatever field (a key, a JSON value, a list item) carries it.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"
NUL_REFUSED = "Null characters are not allowed."
NUL_CODE = "null_characters_not_allowed"


def holds_nul(document: Any) -> bool:
    """Whether any string in a parsed JSON document (keys included) contains a NUL."""
    pending = [document]
    while pending:  # not recursive: a deeply nested document must not exhaust the stack
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        document = super().parse(stream, media_type, parser_context)
        if holds_nul(document):
            raise ParseError(NUL_REFUSED, code=NUL_CODE)
        return document
