"""Conversion of whole item lists to and from the JSON file format."""

import dataclasses
import datetime
import enum
import json
import types
import uuid
from typing import Any, Callable, Dict, List, Optional, Type, cast

from ._attribute_dict import attribute_dict_from


def items_to_json(items: List[Any]) -> bytes:
    """Serialises ``items`` as one UTF-8 JSON array.

    Objects become their ``to_json()`` result or their instance attributes (all but dunder
    names; dataclass fields and ``__slots__`` when there is no ``__dict__``), datetimes ISO 8601
    strings, enums their values, UUIDs their text.

    :raises TypeError: a value JSON cannot represent (bytes, complex, sets, objects without
        attributes).
    :raises ValueError: NaN or infinity, or a reference cycle.
    """
    # The fast path hands plain objects' own attribute dicts to the encoder as they are, the
    # top-level ones without a call back into Python. Dunder names in an instance's __dict__
    # are rare enough to be looked for in the output: any '"__' sends the list through the
    # exact path, which leaves them out.
    text = _dumps(_with_attribute_dicts(items), _json_value_of_unfiltered)
    if '"__' in text:
        text = _dumps(items, _json_value_of)
    return text.encode('utf-8')


def _dumps(value: Any, default: Callable[[Any], Any]) -> str:
    return json.dumps(value, default=default, ensure_ascii=False, allow_nan=False, separators=(',', ':'))


def _with_attribute_dicts(items: List[Any]) -> List[Any]:
    """Returns ``items`` with each plain object replaced by its ``__dict__``."""
    attribute_types = {item_type for item_type in set(map(type, items))
                       if not issubclass(item_type, _JSON_NATIVE_TYPES)
                       and _converter_by_type[item_type] is _instance_attributes}
    if not attribute_types:
        return items
    return [item.__dict__ if type(item) in attribute_types else item for item in items]


def items_from_json(content: bytes, item_type: Optional[type] = None) -> List[Any]:
    """Parses a JSON array of items; an empty or whitespace-only content is an empty list.

    Each top-level JSON object becomes an :class:`AttributeDict`, nested ones plain dicts, as
    for items handed to a persistence. With ``item_type``, each top-level object becomes
    ``item_type.from_json(mapping)`` when the type defines it, and otherwise an instance created
    without ``__init__`` whose attributes are set from the mapping.

    :raises ValueError: the content is not UTF-8, not JSON, or not an array at the top level.
    :raises Exception: whatever ``item_type`` raises for a mapping it cannot take.
    """
    text = content.decode('utf-8-sig')
    if not text or text.isspace():
        return []
    loaded = json.loads(text)
    if not isinstance(loaded, list):
        raise ValueError(f'the top level is a JSON {_json_type_name(loaded)}, not an array')
    if item_type is None:
        return [attribute_dict_from(entry) if type(entry) is dict else entry for entry in loaded]
    return [_to_item_type(entry, item_type) for entry in loaded]


def _json_value_of(value: Any) -> Any:
    return _converter_by_type[type(value)](value)


def _json_value_of_unfiltered(value: Any) -> Any:
    converter = _converter_by_type[type(value)]
    return value.__dict__ if converter is _instance_attributes else converter(value)


def _choose_converter(value_type: type) -> Callable[[Any], Any]:
    """Decides once per type how ``json.dumps`` gets a representable value for its instances."""
    if issubclass(value_type, (datetime.datetime, datetime.date, datetime.time)):
        return _iso_format
    if issubclass(value_type, enum.Enum):
        return _enum_value
    if issubclass(value_type, uuid.UUID):
        return str
    if callable(getattr(value_type, 'to_json', None)):
        return _to_json_result
    if issubclass(value_type, (type, types.FunctionType, types.BuiltinFunctionType,
                               types.MethodType, types.ModuleType)):
        return _unrepresentable
    if any('__dict__' in vars(klass) for klass in value_type.__mro__):
        return _instance_attributes
    if dataclasses.is_dataclass(value_type):
        return _dataclass_fields
    slot_names = [name for klass in value_type.__mro__ for name in _slots_of(klass)
                  if not _is_dunder(name)]
    if slot_names:
        return lambda value: {name: getattr(value, name) for name in slot_names if hasattr(value, name)}
    return _unrepresentable


def _iso_format(value: Any) -> str:
    return str(value.isoformat())


def _enum_value(value: enum.Enum) -> Any:
    return value.value


def _to_json_result(value: Any) -> Any:
    return value.to_json()


def _instance_attributes(value: Any) -> Dict[str, Any]:
    return {name: entry for name, entry in value.__dict__.items() if not _is_dunder(name)}


def _dataclass_fields(value: Any) -> Dict[str, Any]:
    return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}


def _unrepresentable(value: Any) -> Any:
    raise TypeError(f'a value of type {type(value).__name__} cannot be represented in JSON')


def _slots_of(klass: type) -> List[str]:
    slots = vars(klass).get('__slots__', ())
    return [slots] if isinstance(slots, str) else list(slots)


def _is_dunder(name: str) -> bool:
    return name.startswith('__') and name.endswith('__')


class _ConverterByType(Dict[type, Callable[[Any], Any]]):
    def __missing__(self, value_type: type) -> Callable[[Any], Any]:
        converter = _choose_converter(value_type)
        self[value_type] = converter
        return converter


_converter_by_type = _ConverterByType()
_JSON_NATIVE_TYPES = (dict, list, tuple, str, int, float, type(None))


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
