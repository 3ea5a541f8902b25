"""The dict type that stored mappings become, so items read the same as objects and as dicts."""

from typing import Any, Callable, Dict, Tuple


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


def _method_outranking_keys(name: str) -> property:
    """Returns a property that reads as the dict method ``name`` and assigns the key ``name``.

    A property is a data descriptor, which outranks the instance namespace, so a key named
    ``items`` cannot hide the method that ``json`` and ``copy`` call; its getter is the method's
    own ``__get__``, so reading it runs no Python code (the JSON encoder reads ``items`` of
    every stored dict).
    """
    def set_key(instance: Dict[str, Any], value: Any) -> None:
        instance[name] = value

    return property(getattr(dict, name).__get__, set_key)


for _name in ('clear', 'copy', 'get', 'items', 'keys', 'pop', 'popitem', 'setdefault', 'update', 'values'):
    setattr(AttributeDict, _name, _method_outranking_keys(_name))
del _name
