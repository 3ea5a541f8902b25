"""Sorting of query results by a key function or by :class:`SortParams` fields."""

from typing import Any, Callable, List, Optional

from pip_services3_commons.data import SortParams
from pip_services3_commons.errors import BadRequestException

from ._item_fields import get_field


def sort_items(correlation_id: Optional[str], items: List[Any], sort: Any) -> List[Any]:
    """Returns ``items`` sorted by ``sort``, a key function (ascending) or a :class:`SortParams`.

    Both orders are stable. Fields are read as attributes or keys; items lacking a field, or
    holding ``None`` in it, come first in ascending order and last in descending order.

    :raises BadRequestException: ``INVALID_SORT`` when ``sort`` is neither (or names a field by
        anything but a str), ``SORT_FAILED`` when the values cannot be compared with each other.
    """
    if sort is None:
        return items
    if isinstance(sort, SortParams):
        for field in sort:
            if not isinstance(getattr(field, 'name', None), str):
                raise BadRequestException(
                    correlation_id, 'INVALID_SORT',
                    f'Each sort field must be a SortField with a str name, not {field!r}',
                )
    try:
        if isinstance(sort, SortParams):
            return _sort_by_fields(items, sort)
        if callable(sort):
            return sorted(items, key=sort)
    except TypeError as error:
        raise BadRequestException(
            correlation_id, 'SORT_FAILED', f'Cannot sort items: {error}'
        ).with_cause(error) from error
    raise BadRequestException(
        correlation_id, 'INVALID_SORT',
        f'Sort must be a key function or SortParams, not {type(sort).__name__}',
    )


def _sort_by_fields(items: List[Any], sort: SortParams) -> List[Any]:
    ordered = list(items)
    # Stable sorts applied from the least to the most significant field give the combined order.
    for field in reversed(sort):
        ordered.sort(key=_field_key(field.name), reverse=not field.ascending)
    return ordered


def _field_key(name: str) -> Callable[[Any], Any]:
    def key(item: Any) -> Any:
        value = get_field(item, name)
        return (False, 0) if value is None else (True, value)
    return key
