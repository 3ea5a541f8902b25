"""Conversion of items to and from the JSON file format, and what that format can hold.

A file gives back on load what was saved, up to the documented conversions: datetimes become
ISO 8601 strings, enums their values, UUIDs their text, tuples lists and objects their
attributes. Every other value a load would give back changed, or could not give back at all,
is refused: when written (:func:`unrepresentable_in_item`, :func:`item_to_json`) and, should a
file hold one anyway, when read (:func:`items_from_json`), so that what loads can be saved again.
"""

import dataclasses
import datetime
import enum
import json
import math
import re
import reprlib
import types
import uuid
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Set, Tuple, Type, cast

from ._attribute_dict import AttributeDict, attribute_dict_from
from ._ids import is_valid_id
from ._tree_walk import Opened, walk

#: How deep containers (dicts, lists, objects) may nest in an item, the item itself being the
#: first level. MongoDB has the same limit. The JSON parser recurses once per level, so a
#: file within it loads at any call depth short of the last hundred frames of the recursion limit.
MAX_NESTING_DEPTH = 100

#: A JSON escape of a UTF-16 surrogate. Only escapes can put surrogates into parsed strings,
#: so a file without one needs no search of its strings for unpaired surrogates.
_SURROGATE_ESCAPE = re.compile(r'\\u[dD][89a-fA-F]')

#: Integers above this many bits are converted to text on trial: CPython limits the digits of
#: that conversion (``sys.set_int_max_str_digits``, at least 640 digits, above 2,000 bits).
_INT_BITS_ALWAYS_WRITABLE = 2000


#: Places deeper than this many steps are shown with their middle steps left out.
_LONGEST_PLACE = 12


class UnrepresentableValueError(ValueError):
    """A value that a JSON file cannot hold so that it loads back as it was."""


class Unrepresentable(NamedTuple):
    """A value that a file cannot hold exactly."""

    #: Where the value is in its item, such as ``item['tags'][2]`` or ``item.owner``.
    place: str
    #: What is wrong with it, in a sentence that starts with the place.
    description: str

    def __str__(self) -> str:
        return self.description


def item_to_json(item: Any, position: int) -> bytes:
    """Serialises one item, at ``position`` in the file's array, as UTF-8 JSON text.

    Objects become their ``to_json()`` result or their instance attributes (all but dunder
    names, ``__slots__`` included; dataclass fields when there is no ``__dict__``), named
    tuple items their fields, datetimes ISO 8601 strings, enums their values, UUIDs their text.

    :raises UnrepresentableValueError: a value JSON cannot represent (bytes, complex, sets,
        objects without attributes, NaN, infinity, a cycle, ...), naming the item and where in it.
    """
    try:
        convert = _top_level_converter_by_type[type(item)]
        return _encoder.encode(item if convert is None else convert(item)).encode('utf-8')
    except (TypeError, ValueError, RecursionError) as error:
        problem = unrepresentable_in_item(item)
        raise UnrepresentableValueError(
            str(error) if problem is None else f'the item at position {position}{_id_note(item)}: {problem}'
        ) from error


def array_of(texts: List[bytes]) -> List[bytes]:
    """The JSON array of item texts made by :func:`item_to_json`, in parts to write one after
    the other: joined with its brackets, the array would be copied twice more."""
    return [b'[', b','.join(texts), b']']


def _top_level_converter(item_type: type) -> Optional[Callable[[Any], Any]]:
    """How an item of ``item_type`` is converted before the encoder sees it, if at all: dict
    items become exact dicts, plain objects their ``__dict__``, named tuples their fields.

    The JSON encoder walks an exact ``dict`` directly but asks a subclass for its ``items()``
    list, which makes dict items a third slower to serialise than their plain copies.
    """
    if item_type is AttributeDict:
        return dict.copy
    if _is_named_tuple_type(item_type):
        return _named_tuple_fields
    if not issubclass(item_type, _JSON_NATIVE_TYPES) and _converter_by_type[item_type] is _instance_attributes:
        return _instance_attributes
    return None


def items_from_json(content: bytes, item_type: Optional[type] = None) -> List[Any]:
    """Parses a JSON array of items; an empty or whitespace-only content is an empty list.

    Each top-level JSON object becomes an :class:`AttributeDict`, nested ones plain dicts, as
    for items handed to a persistence. With ``item_type``, each top-level object becomes
    ``item_type.from_json(mapping)`` when the type defines it, the named tuple of its fields
    for a named tuple type, and otherwise an instance created without ``__init__`` whose
    attributes are set from the mapping.

    :raises ValueError: the content is not UTF-8, not JSON, or not an array at the top level.
    :raises UnrepresentableValueError: an item that a save could not write back: an id that is
        neither a string, an integer nor null, NaN or infinity (also a number beyond the float
        range, such as ``1e400``), nesting deeper than :data:`MAX_NESTING_DEPTH`, or an
        unpaired surrogate escape in a string.
    :raises Exception: whatever ``item_type`` raises for a mapping it cannot take.
    """
    text = content.decode('utf-8-sig')
    if not text or text.isspace():
        return []
    loaded = json.loads(text)
    if not isinstance(loaded, list):
        raise ValueError(f'the top level is a JSON {_json_type_name(loaded)}, not an array')
    convert = attribute_dict_from if item_type is None else _item_maker(item_type)
    strings_need_checks = _SURROGATE_ESCAPE.search(text) is not None
    # Converted in place, each parsed object is freed as soon as its item exists. A second list
    # would keep every parsed object alive to the end, and that surplus of live containers sets
    # off full garbage collections that cost more than the conversion itself.
    for position, entry in enumerate(loaded):
        if strings_need_checks or not _loaded_entry_is_writable(entry):
            problem = unrepresentable_in_item(entry)
            if problem is not None:
                raise UnrepresentableValueError(
                    f'the item at position {position}{_id_note(entry)}: {problem}; '
                    'a save could not write it back, so correct or remove it')
        if type(entry) is dict:
            loaded[position] = convert(entry)
    return loaded


def _loaded_entry_is_writable(entry: Any) -> bool:
    """Tells quickly whether a parsed item passes :func:`unrepresentable_in_item`, strings aside."""
    entry_type = type(entry)
    if entry_type is dict:
        item_id = entry.get('id')
        if item_id is not None and type(item_id) is not str and type(item_id) is not int:
            return False
    elif entry_type is float:
        return math.isfinite(entry)
    elif entry_type is not list:
        return True
    return _within_limits(entry, MAX_NESTING_DEPTH)


def _within_limits(container: Any, levels_left: int) -> bool:
    """Tells whether a parsed ``container`` nests at most ``levels_left`` levels and holds only
    finite numbers. Recursion is safe here: it stops at :data:`MAX_NESTING_DEPTH`."""
    if levels_left == 0:
        return False
    for entry in (container.values() if type(container) is dict else container):
        entry_type = type(entry)
        # One set lookup passes the strings and integers most values are.
        if entry_type in _NESTED_OR_FLOAT_TYPES:
            if entry_type is float:
                if not math.isfinite(entry):
                    return False
            elif not _within_limits(entry, levels_left - 1):
                return False
    return True


_NESTED_OR_FLOAT_TYPES = frozenset({dict, list, float})


# What a file can hold


def unrepresentable_in_item(item: Any) -> Optional[Unrepresentable]:
    """Describes the first value of ``item`` that a file cannot hold so that it loads back as
    it was (beyond the documented conversions), or returns ``None`` when there is none.

    The description names the value's place, such as ``item['tags'][2]`` or ``item.owner``.
    Besides what JSON cannot represent at all, it refuses dict keys that are not strings (they
    would load back as other keys), NaN and infinity, cycles, nesting deeper than
    :data:`MAX_NESTING_DEPTH`, unpaired surrogates (UTF-8 cannot encode them), integers too
    long to convert to text, and an item id that is not a string, an integer or ``None``.
    """
    return _first_problem(item, 'item', 1, True)


def unrepresentable_in_field(item: Any, name: str, value: Any) -> Optional[Unrepresentable]:
    """Like :func:`unrepresentable_in_item`, for ``value`` set as the field ``name`` of ``item``."""
    where = f'item[{name!r}]' if isinstance(item, dict) else f'item.{name}'
    return _first_problem(value, where, 2, False)


class _Unrepresentable(Exception):
    """Stops the search at the first value a file cannot hold."""

    def __init__(self, places: List[str], description: str) -> None:
        super().__init__(description)
        self.found = Unrepresentable(_place(places), description)


def _first_problem(value: Any, where: str, level: int, is_item: bool) -> Optional[Unrepresentable]:
    # Iterative, so that a cycle or a deep value is reported, never a RecursionError,
    # whatever the depth of the caller.
    places = [where]
    on_path: Set[int] = set()
    try:
        opened = _open(value, places, level, on_path, is_item)
        if opened is not None:
            walk(opened, places, on_path,
                 lambda child, depth: _open(child, places, level + depth, on_path, False))
    except _Unrepresentable as problem:
        return problem.found
    return None


def _open(value: Any, places: List[str], level: int, on_path: Set[int], is_item: bool) -> Optional[Opened]:
    """Checks ``value`` as the JSON encoder would meet it; returns its children when it is a
    container, ``None`` when it is a scalar.

    Tests follow the encoder's order: subclasses of ``str``, ``int`` and ``float`` are written
    as those, lists and tuples as arrays, dicts as objects, and anything else is converted
    first (the encoder's ``default``), then checked again.
    """
    converted_ids: List[int] = []
    attribute_names = False
    while True:
        if value is None or value is True or value is False:
            return None
        if isinstance(value, str):
            _check_text(value, places)
            return None
        if isinstance(value, int):
            _check_int(value, places)
            return None
        if isinstance(value, float):
            if not math.isfinite(value):
                kind = 'NaN' if math.isnan(value) else 'infinite (Infinity, or a number beyond the float range such as 1e400)'
                raise _Unrepresentable(places, f'{_place(places)} is {kind}, which is no JSON number')
            return None
        if isinstance(value, dict):
            break
        if isinstance(value, (list, tuple)) and not (is_item and _is_named_tuple_type(type(value))):
            break
        if id(value) in on_path or id(value) in converted_ids:
            raise _Unrepresentable(places, f'{_place(places)} refers to an object it is part of (a cycle)')
        converted_ids.append(id(value))
        converter = (_named_tuple_fields if is_item and _is_named_tuple_type(type(value))
                     else _converter_by_type[type(value)])
        if converter is _unrepresentable:
            raise _Unrepresentable(places, f'{_place(places)} is of type {_type_name(value)}, which JSON cannot represent')
        try:
            value = converter(value)
        except Exception as error:
            raise _Unrepresentable(
                places, f'{_place(places)} is of type {_type_name(value)}, whose conversion to JSON failed: {error!r}',
            ) from error
        attribute_names = converter in _ATTRIBUTE_MAP_CONVERTERS
    if level > MAX_NESTING_DEPTH:
        raise _Unrepresentable(
            places, f'{_place(places)} is nested {level} levels deep; an item may nest at most {MAX_NESTING_DEPTH}')
    if id(value) in on_path:
        raise _Unrepresentable(places, f'{_place(places)} refers to a container it is part of (a cycle)')
    ids = (id(value), *converted_ids)
    if isinstance(value, dict):
        if is_item:
            _check_item_id(value, places, attribute_names)
        return _mapping_children(value, places, attribute_names), ids
    return ((f'[{index}]', entry) for index, entry in enumerate(value)), ids


def _mapping_children(mapping: Dict[Any, Any], places: List[str], attribute_names: bool) -> Iterator[Tuple[str, Any]]:
    for key, entry in mapping.items():
        if not isinstance(key, str):
            raise _Unrepresentable(
                places, f'{_place(places)} has a key of type {type(key).__name__} ({reprlib.repr(key)}); '
                'JSON keys are strings, so it would load back as another key')
        _check_text(key, places, key)
        yield (f'.{key}' if attribute_names else f'[{key!r}]'), entry


def _check_item_id(mapping: Dict[Any, Any], places: List[str], attribute_names: bool) -> None:
    item_id = mapping.get('id')
    if item_id is not None and not is_valid_id(item_id):
        id_places = [*places, '.id' if attribute_names else "['id']"]
        raise _Unrepresentable(
            id_places, f'{_place(id_places)}, the id, is a {type(item_id).__name__} ({reprlib.repr(item_id)}); '
            'an id in a file is a string or an integer')


def _check_text(text: str, places: List[str], key: Optional[str] = None) -> None:
    if text.isascii():
        return
    try:
        text.encode('utf-8')
    except UnicodeEncodeError as error:
        what = _place(places) if key is None else f'the key {key!r} of {_place(places)}'
        raise _Unrepresentable(
            places, f'{what} holds the unpaired surrogate U+{ord(text[error.start]):04X}, '
            'which UTF-8 cannot encode') from error


def _check_int(number: int, places: List[str]) -> None:
    if number.bit_length() <= _INT_BITS_ALWAYS_WRITABLE:
        return
    try:
        int.__repr__(number)
    except ValueError as error:
        raise _Unrepresentable(places, f'{_place(places)} is an integer too long to write as text: {error}') from error


def _place(places: List[str]) -> str:
    if len(places) > _LONGEST_PLACE:
        places = places[:_LONGEST_PLACE // 2] + ['...'] + places[-(_LONGEST_PLACE // 2):]
    return ''.join(places)


def _type_name(value: Any) -> str:
    return type(value).__qualname__


def _id_note(item: Any) -> str:
    item_id = item.get('id') if isinstance(item, dict) else getattr(item, 'id', None)
    return '' if item_id is None else f' (id {reprlib.repr(item_id)})'


# How the encoder converts what it cannot write as it is


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
    slot_names = _slot_attribute_names(value_type)
    has_instance_dict = any('__dict__' in vars(klass) for klass in value_type.__mro__)
    if has_instance_dict and not slot_names:
        return _instance_attributes
    if dataclasses.is_dataclass(value_type) and not has_instance_dict:
        return _dataclass_fields
    if slot_names:
        converter = _slots_and_instance_attributes(slot_names, has_instance_dict)
        _ATTRIBUTE_MAP_CONVERTERS.add(converter)
        return converter
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


def _slots_and_instance_attributes(slot_names: List[str], has_instance_dict: bool) -> Callable[[Any], Dict[str, Any]]:
    def attributes_of(value: Any) -> Dict[str, Any]:
        attributes = {name: getattr(value, name) for name in slot_names if hasattr(value, name)}
        if has_instance_dict:
            attributes.update(_instance_attributes(value))
        return attributes
    return attributes_of


def _named_tuple_fields(value: Any) -> Dict[str, Any]:
    return dict(zip(type(value)._fields, value))


def _unrepresentable(value: Any) -> Any:
    raise TypeError(f'a value of type {type(value).__name__} cannot be represented in JSON')


#: The converters that turn an object into the map of its attributes.
_ATTRIBUTE_MAP_CONVERTERS: Set[Callable[[Any], Any]] = {_instance_attributes, _dataclass_fields, _named_tuple_fields}


def _slot_attribute_names(value_type: type) -> List[str]:
    """Returns the attribute names of the ``__slots__`` of ``value_type`` and its bases, as
    ``getattr`` takes them (private names mangled), dunder names left out."""
    names = []
    for klass in value_type.__mro__:
        slots = vars(klass).get('__slots__', ())
        for name in [slots] if isinstance(slots, str) else slots:
            if _is_dunder(name):
                continue
            if name.startswith('__'):
                name = f"_{klass.__name__.lstrip('_')}{name}"
            if name not in names:
                names.append(name)
    return names


def _is_dunder(name: str) -> bool:
    return name.startswith('__') and name.endswith('__')


def _is_named_tuple_type(value_type: type) -> bool:
    return issubclass(value_type, tuple) and isinstance(getattr(value_type, '_fields', None), tuple)


class _ConverterByType(Dict[type, Callable[[Any], Any]]):
    def __missing__(self, value_type: type) -> Callable[[Any], Any]:
        converter = _choose_converter(value_type)
        self[value_type] = converter
        return converter


_converter_by_type = _ConverterByType()
_JSON_NATIVE_TYPES = (dict, list, tuple, str, int, float, type(None))


class _TopLevelConverterByType(Dict[type, Optional[Callable[[Any], Any]]]):
    def __missing__(self, item_type: type) -> Optional[Callable[[Any], Any]]:
        converter = _top_level_converter(item_type)
        self[item_type] = converter
        return converter


_top_level_converter_by_type = _TopLevelConverterByType()
_encoder = json.JSONEncoder(default=_json_value_of, ensure_ascii=False, allow_nan=False, separators=(',', ':'))


# Loading into a class


def _item_maker(item_type: Type[Any]) -> Callable[[Dict[str, Any]], Any]:
    """How a parsed top-level object becomes an ``item_type``, chosen once per load."""
    from_json = getattr(item_type, 'from_json', None)
    if callable(from_json):
        return cast(Callable[[Dict[str, Any]], Any], from_json)
    if _is_named_tuple_type(item_type):
        return lambda entry: item_type(**entry)
    create = cast(Any, item_type).__new__

    def make(entry: Dict[str, Any]) -> Any:
        instance = create(item_type)
        for name, value in entry.items():
            # Attribute by attribute, as __init__ would: the instance keeps them compactly.
            # object.__setattr__ skips a class's own __setattr__ guard (frozen dataclasses),
            # while still honouring slots and property setters.
            object.__setattr__(instance, name, value)
        return instance
    return make


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
