"""The dict type that stored mappings become, so items read the same as objects and as dicts."""

from typing import Any, Callable, Dict, Optional, Tuple


class AttributeDict(Dict[str, Any]):
    """A :class:`dict` whose keys can also be read, set and deleted as attributes.

    ``item.name`` and ``item['name']`` are the same value, ``isinstance(item, dict)`` holds and
    ``json.dumps(item)`` works. A key that has the name of a dict method (``items``, ``keys``,
    ``values``, ``get``, ``update``, ``copy``, ``pop``, ``popitem``, ``setdefault``, ``clear``)
    is read by subscription only: ``item.items`` is the method, ``item['items']`` the value;
    assigning ``item.items = value`` sets the key. Reading a missing key as an attribute raises
    :class:`AttributeError`, as for any object.

    >>> item = AttributeDict(id='1', name='Alice', items=['book'])
    >>> item.name
    'Alice'
    >>> item.age = 30
    >>> item['age']
    30
    >>> item['items'], sorted(item.keys())
    (['book'], ['age', 'id', 'items', 'name'])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The instance's attribute namespace is the dict itself, so attribute reads run at the
        # interpreter's native speed; a __getattr__ hook costs a raised AttributeError on every
        # read, twenty times slower. The self-reference means instances are freed by the cycle
        # collector rather than at once.
        self.__dict__ = self

    def __reduce_ex__(self, protocol: Any) -> Tuple[Callable[..., 'AttributeDict'], Tuple[Dict[str, Any]]]:
        # Rebuilt through __init__, so copies and unpickled items get their namespace back.
        return type(self), (dict(self),)


def attribute_dict_from(entries: Dict[str, Any]) -> AttributeDict:
    """Returns a new :class:`AttributeDict` holding ``entries``, as ``AttributeDict(entries)``
    does but without running ``__init__``, which makes the copies of stored items cheaper."""
    created: AttributeDict = dict.__new__(AttributeDict)
    dict.update(created, entries)
    created.__dict__ = created
    return created


class _DictMethod:
    """Makes a dict method a data descriptor, which outranks the instance namespace, so that a
    key named ``items`` cannot hide the method that ``json`` and ``copy`` call."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._method = getattr(dict, name)

    def __get__(self, instance: Optional[Dict[str, Any]], owner: Optional[type] = None) -> Any:
        if instance is None:
            return self._method
        return self._method.__get__(instance, owner)

    def __set__(self, instance: Dict[str, Any], value: Any) -> None:
        instance[self._name] = value


for _name in ('clear', 'copy', 'get', 'items', 'keys', 'pop', 'popitem', 'setdefault', 'update', 'values'):
    setattr(AttributeDict, _name, _DictMethod(_name))
del _name
