"""Conversion of whole item lists to and from the JSON file format."""

import dataclasses
import datetime
import enum
import json
import uuid
from typing import Any, Dict, List, Optional, Type, cast

from ._attribute_dict import AttributeDict


def items_to_json(items: List[Any]) -> bytes:
    """Serialises ``items`` as one UTF-8 JSON array.

    Objects become their ``to_json()`` result or their instance attributes (all but dunder
    names; dataclass fields and ``__slots__`` when there is no ``__dict__``), datetimes ISO 8601
    strings, enums their values, UUIDs their text.

    :raises TypeError: a value JSON cannot represent (bytes, complex, sets, objects without
        attributes).
    :raises ValueError: NaN or infinity, or a reference cycle.
    """
    text = json.dumps(items, default=_json_value_of, ensure_ascii=False, allow_nan=False,
                      separators=(',', ':'))
    return text.encode('utf-8')


def items_from_json(content: bytes, item_type: Optional[type] = None) -> List[Any]:
    """Parses a JSON array of items; an empty or whitespace-only content is an empty list.

    Each top-level JSON object becomes an :class:`AttributeDict`, nested ones plain dicts, as
    for items handed to a persistence. With ``item_type``, each top-level object becomes ``item_type.from_json(mapping)`` when the type defines it, and otherwise an
    instance created without ``__init__`` whose attributes are set from the mapping.

    :raises ValueError: the content is not UTF-8, not JSON, or not an array at the top level.
    :raises Exception: whatever ``item_type`` raises for a mapping it cannot take.
    """
    text = content.decode('utf-8-sig')
    if not text.strip():
        return []
    loaded = json.loads(text)
    if not isinstance(loaded, list):
        raise ValueError(f'the top level is a JSON {_json_type_name(loaded)}, not an array')
    if item_type is None:
        return [AttributeDict(entry) if type(entry) is dict else entry for entry in loaded]
    return [_to_item_type(entry, item_type) for entry in loaded]


def _json_value_of(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    to_json = getattr(value, 'to_json', None)
    if callable(to_json):
        return to_json()
    attributes = _attributes_of(value)
    if attributes is None:
        raise TypeError(f'a value of type {type(value).__name__} cannot be represented in JSON')
    return attributes


def _attributes_of(value: Any) -> Optional[Dict[str, Any]]:
    if isinstance(value, type) or callable(value):
        return None
    instance_dictionary = getattr(value, '__dict__', None)
    if instance_dictionary is not None:
        return {name: entry for name, entry in instance_dictionary.items() if not _is_dunder(name)}
    if dataclasses.is_dataclass(value):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    slot_names = [name for klass in type(value).__mro__ for name in _slots_of(klass)]
    if not slot_names:
        return None
    return {name: getattr(value, name) for name in slot_names
            if not _is_dunder(name) and hasattr(value, name)}


def _slots_of(klass: type) -> List[str]:
    slots = vars(klass).get('__slots__', ())
    return [slots] if isinstance(slots, str) else list(slots)


def _is_dunder(name: str) -> bool:
    return name.startswith('__') and name.endswith('__')


def _to_item_type(entry: Any, item_type: Type[Any]) -> Any:
    if not isinstance(entry, dict):
        return entry
    from_json = getattr(item_type, 'from_json', None)
    if callable(from_json):
        return from_json(entry)
    instance = cast(Any, item_type).__new__(item_type)
    for name, value in entry.items():
        # object.__setattr__ skips a class's own __setattr__ guard (frozen dataclasses), as
        # __init__ would, while still honouring slots and property setters.
        object.__setattr__(instance, name, value)
    return instance


def _json_type_name(value: Any) -> str:
    if value is None:
        return 'null'
    if isinstance(value, dict):
        return 'object'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, bool):
        return 'boolean'
    return 'number'
