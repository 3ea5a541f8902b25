"""Which values may be ids, and the coded errors for those that may not.

An id is a ``str`` or an ``int`` (a subclass counts as its base type; ``bool`` is no id), in
memory and in files alike, so an id means the same before and after a restart: ``'1'`` and
``1`` are two ids, and ``1.0`` or ``True``, which Python would take for ``1`` as dict keys,
are refused rather than silently merged with it.
"""

import reprlib
from typing import Any, Collection, FrozenSet, Optional

from pip_services3_commons.errors import BadRequestException

#: The types of most ids, which need no further check.
EXACT_ID_TYPES: FrozenSet[type] = frozenset({str, int})

#: The containers ``get_list_by_ids`` and ``delete_by_ids`` take their ids in.
_ID_COLLECTION_TYPES = (list, tuple, set, frozenset)


def is_valid_id(value: Any) -> bool:
    """Tells whether ``value`` may be an id: a ``str`` or an ``int`` but not a ``bool``."""
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def is_lookup_id(correlation_id: Optional[str], value: Any) -> bool:
    """Tells whether there is an item to look up by ``value``: ``True`` for an id, ``False``
    for ``None``.

    :raises BadRequestException: ``INVALID_ID`` for any other value.
    """
    if type(value) in EXACT_ID_TYPES:
        return True
    if value is None:
        return False
    require_valid_id(correlation_id, value)
    return True


def require_valid_id(correlation_id: Optional[str], value: Any) -> None:
    """Raises ``BadRequestException`` ``INVALID_ID`` unless ``value`` may be an id."""
    if not is_valid_id(value):
        raise BadRequestException(
            correlation_id, 'INVALID_ID',
            f'An id must be a str or an int, not {type(value).__name__} ({reprlib.repr(value)})',
        ).with_details('id_type', type(value).__name__)


def lookup_ids(correlation_id: Optional[str], ids: Any) -> Collection[Any]:
    """Returns the ids of ``ids`` to look up: every element but ``None``; ``None`` is no ids.

    Every element is checked before anything is looked up, so a bad one changes nothing.

    :raises BadRequestException: ``INVALID_IDS`` when ``ids`` is not a list, tuple or set (a
        string would otherwise be taken for its characters), ``INVALID_ID`` for an element that
        is neither ``None`` nor an id.
    """
    if ids is None:
        return ()
    if not isinstance(ids, _ID_COLLECTION_TYPES):
        raise BadRequestException(
            correlation_id, 'INVALID_IDS',
            f'Ids must be given as a list, tuple or set, not {type(ids).__name__} ({reprlib.repr(ids)})',
        ).with_details('ids_type', type(ids).__name__)
    return [item_id for item_id in ids if is_lookup_id(correlation_id, item_id)]
