"""What a write checks before it stores a value: that it can be copied, and that the saver
can keep it exactly."""

import copy
from typing import Any, Optional, TypeVar

from pip_services3_commons.errors import BadRequestException, FileException

from ._cloning import clone, copy_item, cycle_in
from ._json_conversion import Unrepresentable, unrepresentable_in_field, unrepresentable_in_item
from .JsonFilePersister import JsonFilePersister

V = TypeVar('V')

#: What copying raises for a value that cannot be copied; a RecursionError means a cycle or a
#: value nested deeper than a copy goes (``MAX_COPY_DEPTH``) or than ``copy.deepcopy`` can recurse.
_COPY_ERRORS = (RecursionError, TypeError, AttributeError, copy.Error)


def copy_for_store(correlation_id: Optional[str], item: V, saver: Any) -> V:
    """Returns the copy of ``item`` that a write stores (see :func:`copy_item`).

    :param saver: the persistence's saver; a :class:`JsonFilePersister` gets only items that
        its file holds exactly.
    :raises FileException: ``WRITE_FAILED`` when the file cannot hold a value of ``item``
        exactly; the message and ``details['field']`` name the value's place in the item.
    :raises BadRequestException: ``CYCLIC_ITEM`` when ``item`` contains itself,
        ``ITEM_NOT_COPYABLE`` when it cannot be copied.
    """
    if isinstance(saver, JsonFilePersister):
        _refuse_unwritable(correlation_id, saver, unrepresentable_in_item(item))
    try:
        return copy_item(item)
    except _COPY_ERRORS as error:
        raise _not_copyable(correlation_id, item, 'item', error) from error


def copy_field_for_store(correlation_id: Optional[str], item: Any, name: str, value: V, saver: Any) -> V:
    """Returns the copy of ``value`` that a write sets as the field ``name`` of the stored
    ``item``; raises as :func:`copy_for_store` does."""
    if isinstance(saver, JsonFilePersister):
        _refuse_unwritable(correlation_id, saver, unrepresentable_in_field(item, name, value))
    try:
        return clone(value)
    except _COPY_ERRORS as error:
        where = f'item[{name!r}]' if isinstance(item, dict) else f'item.{name}'
        raise _not_copyable(correlation_id, value, where, error) from error


def _refuse_unwritable(correlation_id: Optional[str], saver: 'JsonFilePersister[Any]',
                       problem: Optional[Unrepresentable]) -> None:
    if problem is None:
        return
    raise FileException(
        correlation_id, 'WRITE_FAILED',
        f'Failed to write data file {saver.path}: {problem.description}; nothing was changed',
    ).with_details('path', saver.path).with_details('field', problem.place)


def _not_copyable(correlation_id: Optional[str], value: Any, where: str, error: Exception) -> BadRequestException:
    if isinstance(error, RecursionError):
        place = cycle_in(value, where)
        if place is not None:
            exception = BadRequestException(
                correlation_id, 'CYCLIC_ITEM', f'{place} refers to a value it is part of; only trees of values can be stored')
            exception.with_details('field', place)
            return exception
        return BadRequestException(correlation_id, 'ITEM_NOT_COPYABLE', f'{where} is nested too deeply to be copied: {error}')
    exception = BadRequestException(correlation_id, 'ITEM_NOT_COPYABLE', f'{where} cannot be copied: {error}')
    exception.with_cause(error)
    return exception
