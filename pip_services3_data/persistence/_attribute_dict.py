"""The dict type that stored mappings become, so items read the same as objects and as dicts."""

from typing import Any


class AttributeDict(dict):
    """A :class:`dict` whose keys can also be read, set and deleted as attributes.

    ``item.name`` and ``item['name']`` are the same value, ``isinstance(item, dict)`` holds and
    ``json.dumps(item)`` works. A key that has the name of a dict method (``items``, ``keys``,
    ``values``, ``get``, ``update``, ``copy``, ``pop``, ``clear`` ...) is only readable by
    subscription: ``item.items`` is the method, ``item['items']`` the value.

    >>> item = AttributeDict(id='1', name='Alice')
    >>> item.name
    'Alice'
    >>> item.age = 30
    >>> item['age']
    30
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None
