"""Copies of items, so that callers never share objects with the store.

Items are trees of dicts, lists and plain objects; copying those by hand is several times
faster than :func:`copy.deepcopy`, which stays the fallback for every other type. How a type is
copied is decided once and remembered.
"""

import copy
import datetime
import decimal
import enum
import uuid
from typing import Any, Callable, Dict, Set

from ._attribute_dict import AttributeDict

Cloner = Callable[[Any], Any]

_IMMUTABLE_TYPES: Set[type] = {
    str, int, float, bool, complex, bytes, type(None), frozenset, range,
    datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.timezone,
    decimal.Decimal, uuid.UUID,
}


def clone(value: Any) -> Any:
    """Returns a deep copy of ``value`` in which every plain dict is an :class:`AttributeDict`.

    Objects with a ``clone()`` method (commons ``ICloneable``) are copied with it; plain
    objects and dataclasses get a new instance with copied attributes, without calling
    ``__init__``; anything else goes through :func:`copy.deepcopy`.

    >>> original = {'id': '1', 'tags': ['a']}
    >>> copied = clone(original)
    >>> copied.tags.append('b')
    >>> original['tags'], copied['tags']
    (['a'], ['a', 'b'])
    """
    value_type = type(value)
    if value_type in _IMMUTABLE_TYPES:
        return value
    cloner = _cloner_by_type.get(value_type)
    if cloner is None:
        cloner = _choose_cloner(value_type)
        _cloner_by_type[value_type] = cloner
    return cloner(value)


def _clone_dict(value: Dict[Any, Any]) -> AttributeDict:
    return AttributeDict({key: clone(entry) for key, entry in value.items()})


def _clone_list(value: list) -> list:
    return [clone(entry) for entry in value]


def _clone_tuple(value: tuple) -> tuple:
    return tuple(clone(entry) for entry in value)


def _clone_set(value: set) -> set:
    return set(value)


def _clone_plain_object(value: Any) -> Any:
    copied = object.__new__(type(value))
    # object.__setattr__ also works for frozen dataclasses and classes guarding __setattr__.
    object.__setattr__(copied, '__dict__', {name: clone(entry) for name, entry in value.__dict__.items()})
    return copied


def _clone_with_own_method(value: Any) -> Any:
    return value.clone()


def _is_plain_object_type(value_type: type) -> bool:
    """Tells whether instances keep all their state in ``__dict__`` and copy like that."""
    return (
        value_type.__new__ is object.__new__
        and value_type.__reduce_ex__ is object.__reduce_ex__
        and getattr(value_type, '__getstate__', object.__getstate__) is getattr(object, '__getstate__', None)
        and '__slots__' not in _attributes_of_hierarchy(value_type)
        and not hasattr(value_type, '__deepcopy__')
        and not hasattr(value_type, '__setstate__')
        and '__dict__' in _attributes_of_hierarchy(value_type)
    )


def _attributes_of_hierarchy(value_type: type) -> Set[str]:
    return {name for klass in value_type.__mro__ for name in vars(klass)}


def _choose_cloner(value_type: type) -> Cloner:
    if callable(getattr(value_type, 'clone', None)):
        return _clone_with_own_method
    if value_type is dict or value_type is AttributeDict:
        return _clone_dict
    if value_type is list:
        return _clone_list
    if value_type is tuple:
        return _clone_tuple
    if value_type is set:
        return _clone_set
    if issubclass(value_type, enum.Enum):
        return _same_value
    if _is_plain_object_type(value_type):
        return _clone_plain_object
    return copy.deepcopy


def _same_value(value: Any) -> Any:
    return value


_cloner_by_type: Dict[type, Cloner] = {}
