"""Reading and writing fields of items that are either objects with attributes or mappings."""

from typing import Any


def get_field(item: Any, name: str) -> Any:
    """Returns ``item[name]`` for a mapping, ``item.name`` for an object, ``None`` when absent."""
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def set_field(item: Any, name: str, value: Any) -> None:
    """Sets ``item[name]`` on a mapping, ``item.name`` on an object."""
    if isinstance(item, dict):
        item[name] = value
    else:
        setattr(item, name, value)


def get_id(item: Any) -> Any:
    """Returns the ``id`` of an item, or ``None`` when it has none."""
    if isinstance(item, dict):
        return item.get('id')
    return getattr(item, 'id', None)


def is_missing_id(item_id: Any) -> bool:
    """Tells whether an id is absent, ``None`` or ``''``, the cases that get a generated id."""
    return item_id is None or (isinstance(item_id, str) and not item_id)
