"""Request ids on log lines: the middleware sets the current id, the filter stamps records."""

import logging
from contextvars import ContextVar

# The id of the request being served in this context; empty outside a request.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside a request) for the formatter to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True
