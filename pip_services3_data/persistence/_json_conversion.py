"""Conversion of items to and from the JSON file format: one array of items."""

import dataclasses
import datetime
import enum
import json
import types
import uuid
from typing import Any, Callable, Dict, List, Optional, Type, cast

from ._attribute_dict import AttributeDict, attribute_dict_from

def item_to_json(item: Any) -> bytes:
    """Serialises one item as UTF-8 JSON text.

    Objects become their ``to_json()`` result or their instance attributes (all but dunder
    names; dataclass fields and ``__slots__`` when there is no ``__dict__``), datetimes ISO 8601
    strings, enums their values, UUIDs their text.

    :raises TypeError: a value JSON cannot represent (bytes, complex, sets, objects without
        attributes).
    :raises ValueError: NaN or infinity, or a reference cycle.
    """
    value: Any = item
    if type(item) is AttributeDict:
        # The encoder walks an exact dict directly but asks a subclass for its items() list.
        value = dict.copy(item)
    elif not isinstance(item, _JSON_NATIVE_TYPES):
        value = _converter_by_type[type(item)](item)
    return _encoder.encode(value).encode('utf-8')


def array_of(texts: List[bytes]) -> bytes:
    """Joins item texts made by :func:`item_to_json` into the JSON array of the file."""
    return b'[' + b','.join(texts) + b']'


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
    convert: Callable[[Dict[str, Any]], Any] = (
        attribute_dict_from if item_type is None else lambda mapping: _to_item_type(mapping, item_type))
    # Converted in place, each parsed object is freed as soon as its item exists. A second list
    # would keep every parsed object alive to the end, and that surplus of live containers sets
    # off full garbage collections that cost more than the conversion itself.
    for position, entry in enumerate(loaded):
        if type(entry) is dict:
            loaded[position] = convert(entry)
    return loaded


def _json_value_of(value: Any) -> Any:
    return _converter_by_type[type(value)](value)


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
    attributes: Dict[str, Any] = value.__dict__
    # Joined, the names are searched at C speed; a match only sends the item through the exact filter.
    if '__' in ''.join(attributes):
        return {name: entry for name, entry in attributes.items() if not _is_dunder(name)}
    return attributes


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
_encoder = json.JSONEncoder(default=_json_value_of, ensure_ascii=False, allow_nan=False, separators=(',', ':'))


def _to_item_type(entry: Dict[str, Any], item_type: Type[Any]) -> Any:
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
