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
from typing import Any, Callable, Dict, FrozenSet, List, Set, Tuple, TypeVar, cast

from ._attribute_dict import AttributeDict

V = TypeVar('V')

Cloner = Callable[[Any], Any]

_IMMUTABLE_TYPES: FrozenSet[type] = frozenset({
    str, int, float, bool, complex, bytes, type(None), frozenset, range,
    datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.timezone,
    decimal.Decimal, uuid.UUID,
})


def copy_item(item: V) -> V:
    """Returns the copy of ``item`` that the store keeps: a plain dict becomes an
    :class:`AttributeDict`, anything else is copied by :func:`clone`."""
    if type(item) is dict:
        return cast(V, AttributeDict(_clone_entries(cast(Dict[Any, Any], item))))
    return clone(item)


def clone(value: V) -> V:
    """Returns a deep copy of ``value`` of the same type.

    Objects with a ``clone()`` method (commons ``ICloneable``) are copied with it; plain
    objects and dataclasses get a new instance with copied attributes, without calling
    ``__init__``; anything else goes through :func:`copy.deepcopy`. Values are expected to be
    trees: an object reachable twice is copied twice.

    >>> original = {'id': '1', 'tags': ['a']}
    >>> copied = clone(original)
    >>> copied['tags'].append('b')
    >>> original['tags'], copied['tags']
    (['a'], ['a', 'b'])
    """
    value_type = type(value)
    if value_type in _IMMUTABLE_TYPES:
        return value
    # An annotated assignment rather than typing.cast: this is the hottest call in the package.
    copied: V = _cloner_by_type[value_type](value)
    return copied


# The container cloners test for immutable entries inline and call the entry's cloner
# directly: most entries are strings and numbers, and skipping a call per entry is most of
# the speed.

def _clone_entries(value: Dict[Any, Any]) -> Dict[Any, Any]:
    return {key: entry if type(entry) in _IMMUTABLE_TYPES else _cloner_by_type[type(entry)](entry)
            for key, entry in dict.items(value)}


def _clone_attribute_dict(value: AttributeDict) -> AttributeDict:
    return AttributeDict(_clone_entries(value))


def _clone_list(value: List[Any]) -> List[Any]:
    return [entry if type(entry) in _IMMUTABLE_TYPES else _cloner_by_type[type(entry)](entry) for entry in value]


def _clone_tuple(value: Tuple[Any, ...]) -> Tuple[Any, ...]:
    return tuple([entry if type(entry) in _IMMUTABLE_TYPES else _cloner_by_type[type(entry)](entry) for entry in value])


def _clone_set(value: Set[Any]) -> Set[Any]:
    return set(value)


def _clone_plain_object(value: Any) -> Any:
    copied = object.__new__(type(value))
    # object.__setattr__ also works for frozen dataclasses and classes guarding __setattr__.
    object.__setattr__(copied, '__dict__', _clone_entries(value.__dict__))
    return copied


def _clone_with_own_method(value: Any) -> Any:
    return value.clone()


def _same_value(value: Any) -> Any:
    return value


def _choose_cloner(value_type: type) -> Cloner:
    if callable(getattr(value_type, 'clone', None)):
        return _clone_with_own_method
    exact_cloners: Dict[type, Cloner] = {
        dict: _clone_entries, AttributeDict: _clone_attribute_dict, list: _clone_list,
        tuple: _clone_tuple, set: _clone_set,
    }
    if value_type in exact_cloners:
        return exact_cloners[value_type]
    if issubclass(value_type, enum.Enum):
        return _same_value
    if _is_plain_object_type(value_type):
        return _clone_plain_object
    return copy.deepcopy


def _is_plain_object_type(value_type: type) -> bool:
    """Tells whether instances keep all their state in ``__dict__`` and copy like that."""
    names = {name for klass in value_type.__mro__ for name in vars(klass)}
    return (
        getattr(value_type, '__new__') is object.__new__
        and getattr(value_type, '__reduce_ex__') is object.__reduce_ex__
        and '__slots__' not in names
        and '__dict__' in names
        and not {'__deepcopy__', '__setstate__', '__getnewargs__', '__getnewargs_ex__'} & names
        and getattr(value_type, '__getstate__', None) is getattr(object, '__getstate__', None)
    )


class _ClonerByType(Dict[type, Cloner]):
    def __missing__(self, value_type: type) -> Cloner:
        cloner = _choose_cloner(value_type)
        self[value_type] = cloner
        return cloner


_cloner_by_type = _ClonerByType()
