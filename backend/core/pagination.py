from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Every list is paged; callers may ask for up to 100 rows a page."""

    page_size_query_param = "page_size"
    max_page_size = 100


class Rows:
    """A filtered queryset paged as rows of ``columns`` (``QuerySet.values``) for a serialiser
    that builds its representation from them: a page is fetched without building a model
    object for each row and each object it refers to, and the count, taken on the queryset as
    given, joins none of the tables that only the columns need."""

    def __init__(self, queryset: QuerySet, columns: Sequence[str]) -> None:
        self.queryset = queryset
        self.model: type[Model] = queryset.model
        self.ordered = queryset.ordered
        self.columns = columns

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> QuerySet[Any, dict[str, Any]]:
        return self.queryset.values(*self.columns)[page]
