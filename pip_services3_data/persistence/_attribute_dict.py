"""The dict type that stored mappings become, so items read the same as objects and as dicts."""

from typing import Any, Dict, FrozenSet

_object_attribute = object.__getattribute__
_dict_entry = dict.__getitem__


class AttributeDict(Dict[str, Any]):
    """A :class:`dict` whose keys can also be read, set and deleted as attributes.

    ``item.name`` and ``item['name']`` are the same value, ``isinstance(item, dict)`` holds and
    ``json.dumps(item)`` works. A key that has the name of a dict method (``items``, ``keys``,
    ``values``, ``get``, ``update``, ``copy``, ``pop``, ``popitem``, ``setdefault``, ``clear``)
    or of any other attribute of the type is read by subscription only: ``item.items`` is the
    method, ``item['items']`` the value; assigning ``item.items = value`` sets the key. Reading
    a missing key as an attribute raises :class:`AttributeError`, as for any object.

    Instances have no ``__dict__`` of their own, so they hold no reference to themselves and
    are freed as soon as the last reference goes, without the cycle collector.

    >>> item = AttributeDict(id='1', name='Alice', items=['book'])
    >>> item.name
    'Alice'
    >>> item.age = 30
    >>> item['age']
    30
    >>> item['items'], sorted(item.keys())
    (['book'], ['age', 'id', 'items', 'name'])
    """

    __slots__ = ()

    # Defined in Python because the alternative, a __getattr__ fallback, is reached only after
    # the interpreter's own lookup has failed, which costs several times more on CPython 3.8-3.11.
    def __getattribute__(self, name: str) -> Any:
        if name in _TYPE_ATTRIBUTE_NAMES:
            return _object_attribute(self, name)
        try:
            return _dict_entry(self, name)
        except KeyError:
            raise AttributeError(f'{type(self).__name__!r} object has no attribute or key {name!r}') from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f'{type(self).__name__!r} object has no attribute or key {name!r}') from None


_TYPE_ATTRIBUTE_NAMES: FrozenSet[str] = frozenset(dir(AttributeDict))


def attribute_dict_from(entries: Dict[str, Any]) -> AttributeDict:
    """Returns a new :class:`AttributeDict` holding ``entries``, as ``AttributeDict(entries)``
    does but without running ``__init__``, which makes the copies of stored items cheaper."""
    created: AttributeDict = dict.__new__(AttributeDict)
    dict.update(created, entries)
    return created
