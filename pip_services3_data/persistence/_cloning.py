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
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple, TypeVar, cast

from ._attribute_dict import AttributeDict, attribute_dict_from
from ._tree_walk import Opened, walk

V = TypeVar('V')

Copier = Callable[[Any], Any]
#: Copies a value found at a nesting level (the item itself is at level 1).
Cloner = Callable[[Any, int], Any]
F = TypeVar('F', Copier, Cloner)

#: How many levels of containers (dicts, lists, tuples, plain objects) a copied value may
#: nest, the item itself counting as one: far more than items do, and far below the
#: interpreter's recursion limit.
MAX_COPY_DEPTH = 200

_IMMUTABLE_TYPES: FrozenSet[type] = frozenset({
    str, int, float, bool, complex, bytes, type(None), frozenset, range,
    datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.timezone,
    decimal.Decimal, uuid.UUID,
})

_new_object = object.__new__
_set_object_attribute = object.__setattr__


def copy_item(item: V) -> V:
    """Returns the deep copy of ``item`` that the store keeps: a plain dict becomes an
    :class:`AttributeDict`, anything else is copied by :func:`clone`."""
    if type(item) is dict:
        return cast(V, _clone_attribute_dict(cast(Dict[str, Any], item), 1))
    return clone(item)


def copy_item_shallow(item: V) -> V:
    """Returns a new item with the same top-level fields as ``item``: a plain dict or
    :class:`AttributeDict` becomes a new :class:`AttributeDict`, a plain object a new instance.

    The nested values are those of ``item``. Writes return such a copy of what the caller gave
    them, which shares nothing with the store and costs one top-level copy instead of a tree.
    """
    if type(item) in _IMMUTABLE_TYPES:
        return item
    shallow: V = _shallow_copier_by_type[type(item)](item)
    return shallow


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
    if type(value) in _IMMUTABLE_TYPES:
        return value
    # An annotated assignment rather than typing.cast: this is the hottest call in the package.
    copied: V = _cloner_by_type[type(value)](value, 1)
    return copied


# The container copiers start from a C-level copy and replace only the entries that are not
# immutable, calling their copier directly: most entries are strings and numbers, and a
# Python-level step per entry would cost most of the time. Each gets the nesting level of the
# value it copies, and refuses to go deeper than MAX_COPY_DEPTH: a cycle, or a value nested
# nearly as deep as the interpreter can recurse, is refused well before the recursion limit.
# (Copying into the limit itself is not safe on CPython 3.8: a finalizer that the garbage
# collector runs there can make the interpreter abort with "Cannot recover from stack overflow".)

def _clone_dict(value: Dict[Any, Any], level: int) -> Dict[Any, Any]:
    if level > MAX_COPY_DEPTH:
        raise _too_deep()
    copied = dict.copy(value)
    for key, entry in dict.items(copied):
        if type(entry) not in _IMMUTABLE_TYPES:
            copied[key] = _cloner_by_type[type(entry)](entry, level + 1)
    return copied


def _clone_attribute_dict(value: Dict[str, Any], level: int) -> AttributeDict:
    return attribute_dict_from(_clone_dict(value, level))


def _clone_list(value: List[Any], level: int) -> List[Any]:
    if level > MAX_COPY_DEPTH:
        raise _too_deep()
    if _IMMUTABLE_TYPES.issuperset(map(type, value)):
        return value[:]
    deeper = level + 1
    return [entry if type(entry) in _IMMUTABLE_TYPES else _cloner_by_type[type(entry)](entry, deeper)
            for entry in value]


def _clone_tuple(value: Tuple[Any, ...], level: int) -> Tuple[Any, ...]:
    if level > MAX_COPY_DEPTH:
        raise _too_deep()
    if _IMMUTABLE_TYPES.issuperset(map(type, value)):
        return value
    return tuple(_clone_list(list(value), level))


def _clone_set(value: Set[Any], level: int) -> Set[Any]:
    return set(value)


def _too_deep() -> RecursionError:
    return RecursionError(f'a value is nested more than {MAX_COPY_DEPTH} levels deep')


# Plain objects are copied attribute by attribute, as __init__ would set them: the copies then
# keep their attributes as compactly as objects built the usual way (on CPython 3.11 and later,
# in less memory than an assigned __dict__). object.__setattr__ also works for frozen
# dataclasses and classes guarding __setattr__. Where the class has a property or other data
# descriptor, which an attribute of the same name would go through, the whole __dict__ is
# assigned instead.

def _clone_plain_object(value: Any, level: int) -> Any:
    if level > MAX_COPY_DEPTH:
        raise _too_deep()
    copied = _new_object(type(value))
    for name, entry in dict.items(value.__dict__):
        if type(entry) not in _IMMUTABLE_TYPES:
            entry = _cloner_by_type[type(entry)](entry, level + 1)
        _set_object_attribute(copied, name, entry)
    return copied


def _copy_plain_object_shallow(value: Any) -> Any:
    copied = _new_object(type(value))
    for name, entry in dict.items(value.__dict__):
        _set_object_attribute(copied, name, entry)
    return copied


def _clone_object_with_descriptors(value: Any, level: int) -> Any:
    copied = _new_object(type(value))
    _set_object_attribute(copied, '__dict__', _clone_dict(value.__dict__, level))
    return copied


def _copy_object_with_descriptors_shallow(value: Any) -> Any:
    copied = _new_object(type(value))
    _set_object_attribute(copied, '__dict__', dict.copy(value.__dict__))
    return copied


def _clone_with_own_method(value: Any, level: int = 1) -> Any:
    return value.clone()


def _deep_copy(value: Any, level: int) -> Any:
    return copy.deepcopy(value)


def _same_value(value: Any, level: int = 1) -> Any:
    return value


def _choose_cloner(value_type: type) -> Cloner:
    if callable(getattr(value_type, 'clone', None)):
        return _clone_with_own_method
    exact_cloners: Dict[type, Cloner] = {
        dict: _clone_dict, AttributeDict: _clone_attribute_dict, list: _clone_list,
        tuple: _clone_tuple, set: _clone_set,
    }
    if value_type in exact_cloners:
        return exact_cloners[value_type]
    if issubclass(value_type, enum.Enum):
        return _same_value
    if _is_plain_object_type(value_type):
        return _clone_object_with_descriptors if _has_data_descriptors(value_type) else _clone_plain_object
    return _deep_copy


def _choose_shallow_copier(value_type: type) -> Copier:
    cloner = _cloner_by_type[value_type]
    if value_type is dict or value_type is AttributeDict:
        return attribute_dict_from
    if cloner is _clone_plain_object:
        return _copy_plain_object_shallow
    if cloner is _clone_object_with_descriptors:
        return _copy_object_with_descriptors_shallow
    if cloner is _clone_with_own_method or cloner is _same_value:
        return cloner
    return copy.copy


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


def _has_data_descriptors(value_type: type) -> bool:
    """Tells whether the class handles some attribute itself when it is set on an instance (a
    property, a slot or another data descriptor), ``__dict__`` and ``__weakref__`` aside."""
    return any(hasattr(type(attribute), '__set__') and name not in ('__dict__', '__weakref__')
               for klass in value_type.__mro__ for name, attribute in vars(klass).items())


def cycle_in(value: Any, where: str = 'item') -> Optional[str]:
    """Returns the place of the first value in ``value`` that is part of itself, such as
    ``item['children'][0]``, or ``None`` when ``value`` is a tree.

    Follows what :func:`clone` copies itself: dicts, lists, tuples and plain objects'
    attributes. It iterates, so it answers however deep ``value`` or the caller's stack is.
    """
    root_children = _children_of(value)
    if root_children is None:
        return None
    places = [where]
    on_path: Set[int] = set()

    def open_child(child: Any, depth: int) -> Optional[Opened]:
        children = _children_of(child)
        if children is None:
            return None
        if id(child) in on_path:
            raise _CycleFound(''.join(places))
        return children, (id(child),)
    try:
        walk((root_children, (id(value),)), places, on_path, open_child)
    except _CycleFound as cycle:
        return cycle.place
    return None


class _CycleFound(Exception):
    def __init__(self, place: str) -> None:
        super().__init__(place)
        self.place = place


def _children_of(value: Any) -> Optional[Iterator[Tuple[str, Any]]]:
    if isinstance(value, dict):
        return ((f'[{key!r}]', entry) for key, entry in dict.items(value))
    if isinstance(value, (list, tuple)):
        return ((f'[{index}]', entry) for index, entry in enumerate(value))
    attributes = getattr(value, '__dict__', None)
    if type(value) not in _IMMUTABLE_TYPES and isinstance(attributes, dict):
        return ((f'.{name}', entry) for name, entry in dict.items(attributes))
    return None


class _ChosenByType(Dict[type, F]):
    """Remembers the copier chosen for each type; chooses on first use."""

    def __init__(self, choose: Callable[[type], F]) -> None:
        super().__init__()
        self._choose: Callable[[type], F] = choose

    def __missing__(self, value_type: type) -> F:
        copier = self._choose(value_type)
        self[value_type] = copier
        return copier


_cloner_by_type: '_ChosenByType[Cloner]' = _ChosenByType(_choose_cloner)
_shallow_copier_by_type: '_ChosenByType[Copier]' = _ChosenByType(_choose_shallow_copier)
