"""The records the strict mode returns: what the database persistences give back for an item."""

from types import SimpleNamespace
from typing import Any, Dict

from ._cloning import clone


def record_of(item: Any) -> Any:
    """Returns a copy of ``item``'s fields as a plain record: attribute access only, like the rows
    the PostgreSQL and MongoDB persistences return (not the item's class, not subscriptable,
    none of its methods). Values are copied as by :func:`clone`.
    """
    return SimpleNamespace(**{name: clone(value) for name, value in _fields_of(item).items()})


def _fields_of(item: Any) -> Dict[str, Any]:
    if isinstance(item, dict):
        return {str(name): value for name, value in item.items()}
    attributes = getattr(item, '__dict__', None)
    if attributes is not None:
        return {name: value for name, value in attributes.items() if not name.startswith('__')}
    return {name: getattr(item, name) for name in dir(item)
            if not name.startswith('_') and not callable(getattr(item, name))}
