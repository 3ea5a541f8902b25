"""Every public operation of the identifiable persistences, checked step by step against a model.

A Hypothesis state machine runs random sequences of every public operation (and closing and
reopening) on an ``IdentifiableMemoryPersistence`` and on an ``IdentifiableFilePersistence``,
with generated items of several shapes, values that nest dicts, lists and objects, odd keys,
and ids that include the bad ones. A plain model, a list written here from the documented
rules, predicts each result: the same value, or the same coded error with nothing changed.
After every step the stored items, in order, and for a file the file's content, must equal
the model's.

The profiles (short for CI, long on demand) are in ``conftest.py`` beside this file.
"""

import copy
import datetime
import json
import math
import re
import shutil
import sys
import tempfile
import threading
from collections import namedtuple
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, List, NamedTuple, Optional

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import AnyValueMap, PagingParams, SortField, SortParams
from pip_services3_commons.errors import ApplicationException

from pip_services3_data.persistence import (IdentifiableFilePersistence, IdentifiableMemoryPersistence,
                                            JsonFilePersister)

#: The deepest an item may nest in a file (docs/files-and-durability.md).
FILE_NESTING_LIMIT = 100

# ---------------------------------------------------------------------------------------------
# Item shapes


class Plain:
    """An object keeping its fields in ``__dict__``."""

    def __init__(self, **fields: Any):
        self.__dict__.update(fields)

    def __repr__(self):
        return f'Plain({self.__dict__!r})'


class Slotted:
    """An object with slots only: it can hold no other field."""

    __slots__ = ('id', 'key', 'n')

    def __repr__(self):
        return f'Slotted({slot_values(self)!r})'


class SlottedWithDict(Slotted):
    """Inherits slots and adds a ``__dict__``."""

    def __repr__(self):
        return f'SlottedWithDict({slot_values(self)!r}, {self.__dict__!r})'


class Opaque:
    """An object without attributes, which JSON cannot represent."""

    __slots__ = ()

    def __repr__(self):
        return 'Opaque()'


class LongInteger(int):
    """An integer too long for CPython to write in decimal; its ``repr`` says what it is, so
    that Hypothesis can print the steps of a failure."""

    def __repr__(self):
        return f'LongInteger(<{self.bit_length()} bits>)'


Pair = namedtuple('Pair', 'id value')

OBJECT_TYPES = (Plain, Slotted, SlottedWithDict)


def slot_values(value: Any) -> dict:
    return {name: getattr(value, name) for name in Slotted.__slots__ if hasattr(value, name)}


def attributes_of(value: Any) -> dict:
    """The fields of an object item, as the documentation says a file holds them."""
    attributes = slot_values(value) if isinstance(value, Slotted) else {}
    attributes.update(getattr(value, '__dict__', {}))
    return attributes


def field(item: Any, name: str) -> Any:
    """A field of an item of any shape, ``None`` when it has none: what filters and sorts read."""
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def is_dunder(name: str) -> bool:
    return name.startswith('__') and name.endswith('__')


# ---------------------------------------------------------------------------------------------
# Comparing values: exact types, so that 1, 1.0, True and '1' all differ


def canonical(value: Any, path: tuple = ()) -> Any:
    """A form of ``value`` that compares equal only for values of the same types and content.

    Dict entries compare in any order; a value met again inside itself (which memory may
    store inside a named tuple or a slotted object, see the model) becomes a marker.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return ('bool', value)
    if isinstance(value, int):
        # Hexadecimal, because CPython refuses to write very long integers in decimal.
        return (type(value).__name__, hex(value))
    if type(value) is float:
        return ('float', repr(value))
    if type(value) is str:
        return ('str', value)
    if id(value) in path:
        return ('cycle',)
    path = path + (id(value),)
    if isinstance(value, dict):
        entries = [(canonical(key, path), canonical(entry, path)) for key, entry in value.items()]
        return ('dict', sorted(entries, key=repr))
    if isinstance(value, Pair):
        return ('Pair', canonical(value.id, path), canonical(value.value, path))
    if type(value) in (list, tuple):
        return (type(value).__name__, [canonical(entry, path) for entry in value])
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(canonical(entry, path)) for entry in value))
    if isinstance(value, OBJECT_TYPES):
        return (type(value).__name__, canonical(attributes_of(value), path))
    if isinstance(value, (datetime.datetime, bytes, complex, Opaque)):
        return (type(value).__name__, repr(value))
    raise AssertionError(f'no canonical form for {type(value)}')


# ---------------------------------------------------------------------------------------------
# The documented rules, written independently of the library


def is_valid_id(value: Any) -> bool:
    return type(value) in (str, int)


def needs_generated_id(item_id: Any) -> bool:
    return item_id is None or item_id == ''


def id_of(item: Any) -> Any:
    return field(item, 'id')


def is_cyclic(value: Any, path: tuple = ()) -> bool:
    if id(value) in path:
        return True
    if isinstance(value, dict):
        children = list(value.values())
    elif type(value) in (list, tuple):
        children = list(value)
    elif isinstance(value, Plain):
        children = list(value.__dict__.values())
    else:
        return False
    return any(is_cyclic(child, path + (id(value),)) for child in children)


def holds_uncopyable(value: Any, path: tuple = ()) -> bool:
    if isinstance(value, type(threading.Lock())):
        return True
    if id(value) in path:
        return False
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, (list, tuple)):
        children = list(value)
    elif isinstance(value, OBJECT_TYPES):
        children = list(attributes_of(value).values())
    else:
        return False
    return any(holds_uncopyable(child, path + (id(value),)) for child in children)


def file_can_hold(value: Any, level: int, is_item: bool, path: tuple = ()) -> bool:
    """Whether a JSON file holds ``value``, at nesting ``level`` of its item, exactly up to the
    documented conversions."""
    if value is None or isinstance(value, (bool, datetime.datetime)):
        return True
    if isinstance(value, str):
        return not any(0xD800 <= ord(character) <= 0xDFFF for character in value)
    if isinstance(value, int):
        digit_limit = getattr(sys, 'get_int_max_str_digits', lambda: 0)()
        return digit_limit == 0 or abs(value) < 10 ** digit_limit
    if isinstance(value, float):
        return math.isfinite(value)
    if id(value) in path:
        return False
    if is_item and isinstance(value, Pair):
        return file_can_hold(value._asdict(), level, True, path)
    if isinstance(value, (list, tuple)):
        return level <= FILE_NESTING_LIMIT and all(
            file_can_hold(entry, level + 1, False, path + (id(value),)) for entry in value)
    if isinstance(value, OBJECT_TYPES):
        return file_can_hold(attributes_of(value), level, is_item, path + (id(value),))
    if isinstance(value, dict):
        if is_item and value.get('id') is not None and not is_valid_id(value['id']):
            return False
        return level <= FILE_NESTING_LIMIT and all(
            isinstance(key, str) and file_can_hold(key, level, False)
            and file_can_hold(entry, level + 1, False, path + (id(value),))
            for key, entry in value.items())
    return False


def json_form(value: Any, is_item: bool = False) -> Any:
    """What a file gives back for ``value``: objects as their attributes, tuples as lists,
    datetimes as ISO text."""
    if is_item and isinstance(value, Pair):
        return json_form(value._asdict())
    if isinstance(value, dict):
        return {key: json_form(entry) for key, entry in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_form(entry) for entry in value]
    if isinstance(value, OBJECT_TYPES):
        return json_form(attributes_of(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def can_set_field(item: Any, name: str) -> bool:
    if isinstance(item, dict) or isinstance(item, (Plain, SlottedWithDict)):
        return True
    if isinstance(item, Slotted):
        return name in Slotted.__slots__
    return False


def with_field(item: Any, name: str, value: Any) -> Any:
    """A new version of a stored item with one field set; the stored one is left as it is."""
    if isinstance(item, dict):
        updated = dict(item)
        updated[name] = value
        return updated
    updated = copy.copy(item)
    setattr(updated, name, value)
    return updated


class Failure(NamedTuple):
    """A coded error an operation raised, or is expected to raise."""

    exception: str
    code: Optional[str]


def outcome_of(call: Callable[[], Any]) -> Any:
    """What ``call`` returned, or the coded error it raised; any other exception is a failure."""
    try:
        return call()
    except ApplicationException as error:
        return Failure(type(error).__name__, error.code)


class ModelError(Exception):
    """The model predicts this coded error for an operation."""

    def __init__(self, exception: str, code: str):
        super().__init__(code)
        self.failure = Failure(exception, code)


def bad_request(code: str) -> ModelError:
    return ModelError('BadRequestException', code)


class Model:
    """The stored items as a plain list and the operations on them, from the documentation."""

    def __init__(self, on_file: bool, unique_ids: bool, max_page_size: int):
        self.items: List[Any] = []
        self.on_file = on_file
        self.unique_ids = unique_ids
        self.max_page_size = max_page_size

    # Checks of arguments, in the order the documentation gives them

    def check_lookup_id(self, item_id: Any) -> None:
        if item_id is not None and not is_valid_id(item_id):
            raise bad_request('INVALID_ID')

    def lookup_ids(self, ids: Any) -> List[Any]:
        if ids is None:
            return []
        if not isinstance(ids, (list, tuple, set, frozenset)):
            raise bad_request('INVALID_IDS')
        for item_id in ids:
            self.check_lookup_id(item_id)
        return [item_id for item_id in ids if item_id is not None]

    def check_storable(self, value: Any, level: int, is_item: bool) -> None:
        if self.on_file:
            if not file_can_hold(value, level, is_item):
                raise ModelError('FileException', 'WRITE_FAILED')
        elif is_cyclic(value):
            raise bad_request('CYCLIC_ITEM')
        elif holds_uncopyable(value):
            raise bad_request('ITEM_NOT_COPYABLE')

    def position_of(self, item_id: Any) -> Optional[int]:
        for position, item in enumerate(self.items):
            stored_id = id_of(item)
            if type(stored_id) is type(item_id) and stored_id == item_id:
                return position
        return None

    # Writes: each returns its result, or raises ModelError having changed nothing

    def create(self, item: Any, generated_id: Any) -> Any:
        stored = self.checked_copy(item, generated_id)
        if self.unique_ids and self.position_of(id_of(stored)) is not None:
            raise ModelError('ConflictException', 'DUPLICATE_ID')
        self.items.append(stored)
        return stored

    def set(self, item: Any, generated_id: Any) -> Any:
        stored = self.checked_copy(item, generated_id)
        position = self.position_of(id_of(stored))
        if position is None:
            self.items.append(stored)
        else:
            self.items[position] = stored
        return stored

    def checked_copy(self, item: Any, generated_id: Any) -> Any:
        if item is None:
            raise bad_request('NO_ITEM')
        item_id = id_of(item)
        if not needs_generated_id(item_id) and not is_valid_id(item_id):
            raise bad_request('INVALID_ID')
        self.check_storable(item, 1, True)
        stored = copy.deepcopy(item)
        if needs_generated_id(item_id):
            if isinstance(item, Pair):
                raise bad_request('ID_NOT_SETTABLE')
            stored = with_field(stored, 'id', generated_id)
        return stored

    def update(self, item: Any) -> Any:
        if item is None:
            raise bad_request('NO_ITEM')
        item_id = id_of(item)
        self.check_lookup_id(item_id)
        if item_id is None:
            return None
        self.check_storable(item, 1, True)
        position = self.position_of(item_id)
        if position is None:
            return None
        self.items[position] = copy.deepcopy(item)
        return self.items[position]

    def update_partially(self, item_id: Any, data: Any) -> Any:
        self.check_lookup_id(item_id)
        if data is None:
            data = {}
        if not isinstance(data, Mapping) or not all(isinstance(name, str) for name in data):
            raise bad_request('INVALID_DATA')
        if item_id is None:
            return None
        position = self.position_of(item_id)
        if position is None:
            return None
        updated = self.items[position]
        for name, value in data.items():
            if name == 'id':
                continue
            if not isinstance(updated, dict) and is_dunder(name):
                raise bad_request('INVALID_DATA')
            self.check_storable(value, 2, False)
            if not can_set_field(updated, name):
                raise bad_request('FIELD_NOT_SETTABLE')
            updated = with_field(updated, name, copy.deepcopy(value))
        self.items[position] = updated
        return updated

    def delete_by_id(self, item_id: Any) -> Any:
        self.check_lookup_id(item_id)
        position = None if item_id is None else self.position_of(item_id)
        return None if position is None else self.items.pop(position)

    def delete_by_ids(self, ids: Any) -> None:
        positions = self.positions_of(self.lookup_ids(ids))
        self.items = [item for position, item in enumerate(self.items) if position not in positions]

    def delete_by_filter(self, filter: Any) -> None:
        self.items = [item for item in self.items if not (filter is None or filter(item))]

    def clear(self) -> None:
        self.items = []

    def reopened_from_file(self) -> None:
        self.items = [json_form(item, is_item=True) for item in self.items]

    # Reads

    def get_one_by_id(self, item_id: Any) -> Any:
        self.check_lookup_id(item_id)
        position = None if item_id is None else self.position_of(item_id)
        return None if position is None else self.items[position]

    def get_list_by_ids(self, ids: Any) -> List[Any]:
        positions = self.positions_of(self.lookup_ids(ids))
        return [item for position, item in enumerate(self.items) if position in positions]

    def positions_of(self, ids: List[Any]) -> set:
        positions = {self.position_of(item_id) for item_id in ids}
        positions.discard(None)
        return positions

    def matching(self, filter: Any) -> List[Any]:
        return [item for item in self.items if filter is None or filter(item)]

    def ordered(self, items: List[Any], sort: Any) -> List[Any]:
        try:
            if isinstance(sort, SortParams):
                ordered = list(items)
                for sort_field in reversed(sort):
                    ordered.sort(key=lambda item: none_first(field(item, sort_field.name)),
                                 reverse=not sort_field.ascending)
                return ordered
            if sort is not None:
                return sorted(items, key=sort)
        except TypeError:
            raise bad_request('SORT_FAILED')
        return items

    def get_page(self, filter: Any, paging: Optional[PagingParams], sort: Any, select: Any) -> tuple:
        matching = self.matching(filter)
        ordered = self.ordered(matching, sort)
        skip = 0 if paging is None or paging.skip is None else max(paging.skip, 0)
        take = self.max_page_size
        if paging is not None and paging.take is not None:
            take = max(0, min(paging.take, self.max_page_size))
        page = ordered[skip:skip + take]
        return [select(item) for item in page] if select else page, len(matching)

    def get_list(self, filter: Any, sort: Any, select: Any) -> List[Any]:
        ordered = self.ordered(self.matching(filter), sort)
        return [select(item) for item in ordered] if select else ordered


def none_first(value: Any) -> tuple:
    return (False, 0) if value is None else (True, value)


# ---------------------------------------------------------------------------------------------
# Generated input

GOOD_IDS = st.sampled_from(['a', 'b', 'c', '1', 'é', 1, 2, 0, -1, 10 ** 20])
BAD_IDS = st.sampled_from([1.0, 2.5, True, False, (1,), ('a', 1), b'a', [1], {'a': 1},
                           datetime.date(2020, 1, 1)])
MISSING_IDS = st.sampled_from([None, ''])
IDS = st.one_of(GOOD_IDS, GOOD_IDS, GOOD_IDS, MISSING_IDS, BAD_IDS)
LOOKUP_IDS = st.one_of(GOOD_IDS, GOOD_IDS, st.none(), st.just(''), BAD_IDS)

FIELD_NAMES = st.sampled_from(['key', 'key', 'n', 'n', 'tags', 'owner', '', ' ', 'é', '0', 'with.dot',
                               'items', 'keys'])
DICT_ONLY_NAMES = st.sampled_from(['__class__', '__dict__', '__x__'])
SORTABLE_VALUES = st.sampled_from(['x', 'y', 'z', 1, 2, 3, None, 1.5, True])

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10 ** 30, max_value=10 ** 30),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
    st.datetimes(timezones=st.sampled_from([None, datetime.timezone.utc])),
)


def objects_of(values: st.SearchStrategy) -> st.SearchStrategy:
    plain = st.dictionaries(FIELD_NAMES, values, max_size=3).map(lambda fields: Plain(**fields))
    pair = st.builds(Pair, values, values)
    return st.one_of(plain, pair, st.builds(slotted_object, st.just(Slotted), values, values),
                     st.builds(slotted_object, st.just(SlottedWithDict), values, values))


def slotted_object(object_type: type, key: Any, extra: Any) -> Any:
    created = object_type()
    created.key = key
    if object_type is SlottedWithDict:
        created.extra = extra
    return created


VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children),
                               st.dictionaries(st.one_of(FIELD_NAMES, st.text(max_size=4)), children, max_size=3),
                               objects_of(children)),
    max_leaves=6,
)


def nested_lists(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def cyclic_value(kind: str) -> Any:
    if kind == 'list':
        value: Any = [1]
        value.append(value)
    elif kind == 'dict':
        value = {'a': 1}
        value['self'] = {'inner': [value]}
    else:
        value = Plain(name='loop')
        value.me = value
    return value


#: Values one of which may be put into an item: a file refuses each of them, memory stores all
#: but the cyclic and the uncopyable ones.
BAD_VALUES = st.one_of(
    st.sampled_from([float('nan'), float('inf'), -float('inf')]),
    st.sampled_from([{1, 2}, frozenset({3}), b'bytes', 1j]),
    st.sampled_from(['unpaired \ud800', {'\udfff': 1}, 'a\udc80b']),
    st.sampled_from([{1: 'int key'}, {None: 'None key'}, {(1, 2): 'tuple key'}, {True: 'bool key'}]),
    st.just(LongInteger(10 ** 5000)),
    st.builds(Opaque),
    st.builds(threading.Lock),
    st.builds(cyclic_value, st.sampled_from(['list', 'dict', 'object'])),
    st.builds(nested_lists, st.integers(FILE_NESTING_LIMIT - 3, FILE_NESTING_LIMIT + 1)),
)


@st.composite
def field_values(draw: Callable, allow_bad: bool = True) -> dict:
    """Fields for an item or for ``update_partially``: good values and at most one bad one."""
    # A new dict: Hypothesis prints a drawn object as it was drawn, so changing one would make
    # the steps of a failure print wrong.
    fields = dict(draw(st.dictionaries(FIELD_NAMES, st.one_of(SORTABLE_VALUES, VALUES), max_size=4)))
    if allow_bad and draw(st.integers(0, 4)) == 0:
        bad = draw(BAD_VALUES)
        fields[draw(FIELD_NAMES)] = draw(st.sampled_from([bad, [bad], {'inner': bad}]))
    return fields


@st.composite
def items(draw: Callable, ids: st.SearchStrategy = IDS) -> Any:
    shape = draw(st.sampled_from(['dict', 'dict', 'dict', 'plain', 'plain', 'slotted', 'slotted with dict', 'pair']))
    item_id = draw(ids)
    has_id = draw(st.integers(0, 5)) > 0
    fields = dict(draw(field_values()))
    if shape == 'dict':
        if draw(st.booleans()):
            fields[draw(DICT_ONLY_NAMES)] = draw(SCALARS)
        return {'id': item_id, **fields} if has_id else fields
    if shape == 'plain':
        return Plain(id=item_id, **fields) if has_id else Plain(**fields)
    if shape == 'pair':
        return Pair(item_id if has_id else None, fields)
    created = Slotted() if shape == 'slotted' else SlottedWithDict()
    if has_id:
        created.id = item_id
    created.key = fields.get('key')
    if 'n' in fields:
        created.n = fields['n']
    if shape == 'slotted with dict':
        created.__dict__.update({name: value for name, value in fields.items() if name not in Slotted.__slots__})
    return created


@st.composite
def update_data(draw: Callable) -> Any:
    kind = draw(st.sampled_from(['dict', 'dict', 'dict', 'map', 'none', 'dunder', 'not a mapping']))
    if kind == 'none':
        return None
    if kind == 'not a mapping':
        return draw(st.sampled_from([['key', 'x'], 'key', 5, b'key', {1: 'x'}, {('key',): 'x'}]))
    fields = dict(draw(field_values()))
    if kind == 'dunder':
        fields[draw(DICT_ONLY_NAMES)] = draw(SCALARS)
    if draw(st.integers(0, 5)) == 0:
        fields['id'] = draw(IDS)
    return AnyValueMap(fields) if kind == 'map' else fields


def stored_ids_or(fallback: st.SearchStrategy) -> st.SearchStrategy:
    """The id of an item the machine's model holds now, or one of ``fallback`` while it holds none.

    Lookups mostly by stored ids find items, generated ids included, far more often than
    lookups by ids drawn blindly.
    """
    def ids_of(machine: Any) -> st.SearchStrategy:
        stored_ids = [] if machine.model is None else [id_of(item) for item in machine.model.items]
        return st.sampled_from(stored_ids) if stored_ids else fallback
    return st.runner().flatmap(ids_of)


STORED_IDS = stored_ids_or(GOOD_IDS)
#: Ids for lookups: mostly stored ones, also unknown, missing and bad ones.
LOOKUP_OR_STORED_IDS = st.one_of(STORED_IDS, STORED_IDS, LOOKUP_IDS)
#: Items, mostly with a stored id.
ITEMS_WITH_STORED_IDS = items(st.one_of(STORED_IDS, STORED_IDS, IDS))

ID_COLLECTIONS = st.one_of(
    st.lists(LOOKUP_OR_STORED_IDS, max_size=4),
    st.lists(st.one_of(STORED_IDS, GOOD_IDS), max_size=4).map(tuple),
    st.sets(st.one_of(STORED_IDS, GOOD_IDS), max_size=4),
    st.none(),
    st.sampled_from(['abc', b'ab', {'a': 1}, 5]),
)


FILTERS = {
    'everything': None,
    'has a key': lambda item: field(item, 'key') is not None,
    'has a str id': lambda item: isinstance(field(item, 'id'), str),
    'n is a small int': lambda item: type(field(item, 'n')) is int and field(item, 'n') < 3,
}
SORTS = {
    'unsorted': None,
    'by key': lambda item: field(item, 'key'),
    'by id text': lambda item: repr(field(item, 'id')),
}
SELECTS = {'whole items': None, 'ids': lambda item: field(item, 'id')}

FILTER_NAMES = st.sampled_from(sorted(FILTERS))
SORT_PARAMS = st.one_of(
    st.sampled_from(sorted(SORTS)).map(SORTS.get),
    st.lists(st.builds(SortField, st.sampled_from(['id', 'key', 'n']), st.booleans()), min_size=1, max_size=2)
    .map(lambda fields: SortParams(*fields)),
)
PAGING = st.one_of(st.none(), st.builds(PagingParams, st.one_of(st.none(), st.integers(-2, 6)),
                                        st.one_of(st.none(), st.integers(-1, 8))))

# ---------------------------------------------------------------------------------------------
# The machine

_GENERATED_ID = re.compile(r'[0-9a-f]{32}')


class PersistenceMachine(RuleBasedStateMachine):
    """Runs operations on a persistence and on the model, and compares them after each step."""

    on_file = False

    #: Where machines make their directories: the test's ``tmp_path``.
    base_directory: Optional[Path] = None

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(dir=self.base_directory))
        self.path = self.directory / 'items.json'
        self.persistence: Any = None
        self.model: Any = None

    @initialize(unique_ids=st.booleans(), max_page_size=st.integers(1, 6),
                first_items=st.lists(items(st.one_of(GOOD_IDS, MISSING_IDS)), max_size=6))
    def start(self, unique_ids: bool, max_page_size: int, first_items: List[Any]) -> None:
        self.config = ConfigParams.from_tuples(
            'options.unique_ids', unique_ids, 'options.max_page_size', max_page_size, 'path', str(self.path))
        self.model = Model(self.on_file, unique_ids, max_page_size)
        self.persistence = self.opened()
        self.create_several(first_items)

    def opened(self) -> Any:
        persistence = (IdentifiableFilePersistence(JsonFilePersister()) if self.on_file
                       else IdentifiableMemoryPersistence())
        persistence.configure(self.config)
        persistence.open(None)
        return persistence

    def teardown(self) -> None:
        shutil.rmtree(self.directory)

    def compare(self, actual: Any, predict: Callable[[], Any]) -> None:
        try:
            expected = predict()
        except ModelError as error:
            expected = error.failure
        if isinstance(expected, Failure) or isinstance(actual, Failure):
            assert actual == expected
        else:
            assert canonical(actual) == canonical(expected)

    def compare_write(self, item: Any, call: Callable[[], Any], predict: Callable[[Any], Any]) -> None:
        """For create and set: an id the persistence generates becomes the model's too."""
        actual = outcome_of(call)
        generated_id = None
        if needs_generated_id(id_of(item)) and not isinstance(actual, Failure):
            generated_id = id_of(actual)
            assert _GENERATED_ID.fullmatch(generated_id)
        self.compare(actual, lambda: predict(generated_id))

    # Writes

    @rule(item=ITEMS_WITH_STORED_IDS)
    def create(self, item: Any) -> None:
        self.compare_write(item, lambda: self.persistence.create(None, item),
                           lambda generated_id: self.model.create(item, generated_id))

    @rule(new_items=st.lists(items(), min_size=2, max_size=5))
    def create_several(self, new_items: List[Any]) -> None:
        """Creates items one after the other, so that stores hold several items more often."""
        for item in new_items:
            self.create(item)

    @rule(item=ITEMS_WITH_STORED_IDS)
    def set(self, item: Any) -> None:
        self.compare_write(item, lambda: self.persistence.set(None, item),
                           lambda generated_id: self.model.set(item, generated_id))

    @rule(item=ITEMS_WITH_STORED_IDS)
    def update(self, item: Any) -> None:
        self.compare(outcome_of(lambda: self.persistence.update(None, item)), lambda: self.model.update(item))

    @rule(item_id=LOOKUP_OR_STORED_IDS, data=update_data())
    def update_partially(self, item_id: Any, data: Any) -> None:
        self.compare(outcome_of(lambda: self.persistence.update_partially(None, item_id, data)),
                     lambda: self.model.update_partially(item_id, data))

    @rule(item_id=LOOKUP_OR_STORED_IDS)
    def delete_by_id(self, item_id: Any) -> None:
        self.compare(outcome_of(lambda: self.persistence.delete_by_id(None, item_id)),
                     lambda: self.model.delete_by_id(item_id))

    @rule(ids=ID_COLLECTIONS)
    def delete_by_ids(self, ids: Any) -> None:
        self.compare(outcome_of(lambda: self.persistence.delete_by_ids(None, ids)),
                     lambda: self.model.delete_by_ids(ids))

    @precondition(lambda machine: len(machine.model.items) >= 3)
    @rule(filter_name=FILTER_NAMES)
    def delete_by_filter(self, filter_name: str) -> None:
        filter = FILTERS[filter_name]
        self.compare(outcome_of(lambda: self.persistence.delete_by_filter(None, filter)),
                     lambda: self.model.delete_by_filter(filter))

    @precondition(lambda machine: len(machine.model.items) >= 3)
    @rule()
    def clear(self) -> None:
        self.compare(outcome_of(lambda: self.persistence.clear(None)), self.model.clear)

    @rule()
    def close_and_reopen(self) -> None:
        self.persistence.close(None)
        if self.on_file:
            self.persistence = self.opened()
            self.model.reopened_from_file()
        else:
            self.persistence.open(None)

    # Reads

    @rule(item_id=LOOKUP_OR_STORED_IDS)
    def get_one_by_id(self, item_id: Any) -> None:
        self.compare(outcome_of(lambda: self.persistence.get_one_by_id(None, item_id)),
                     lambda: self.model.get_one_by_id(item_id))

    @rule(ids=ID_COLLECTIONS)
    def get_list_by_ids(self, ids: Any) -> None:
        self.compare(outcome_of(lambda: self.persistence.get_list_by_ids(None, ids)),
                     lambda: self.model.get_list_by_ids(ids))

    @rule(filter_name=FILTER_NAMES, paging=PAGING, sort=SORT_PARAMS, select_name=st.sampled_from(sorted(SELECTS)))
    def get_page_by_filter(self, filter_name: str, paging: Any, sort: Any, select_name: str) -> None:
        filter, select = FILTERS[filter_name], SELECTS[select_name]
        page = outcome_of(lambda: self.persistence.get_page_by_filter(None, filter, paging, sort, select))
        if not isinstance(page, Failure):
            assert type(page.data) is list and type(page.total) is int
            page = (page.data, page.total)
        self.compare(page, lambda: self.model.get_page(filter, paging, sort, select))

    @rule(filter_name=FILTER_NAMES, sort=SORT_PARAMS, select_name=st.sampled_from(sorted(SELECTS)))
    def get_list_by_filter(self, filter_name: str, sort: Any, select_name: str) -> None:
        filter, select = FILTERS[filter_name], SELECTS[select_name]
        self.compare(outcome_of(lambda: self.persistence.get_list_by_filter(None, filter, sort, select)),
                     lambda: self.model.get_list(filter, sort, select))

    @rule(filter_name=FILTER_NAMES)
    def get_count_by_filter(self, filter_name: str) -> None:
        filter = FILTERS[filter_name]
        self.compare(outcome_of(lambda: self.persistence.get_count_by_filter(None, filter)),
                     lambda: len(self.model.matching(filter)))

    @rule(filter_name=FILTER_NAMES)
    def get_one_random(self, filter_name: str) -> None:
        filter = FILTERS[filter_name]
        chosen = self.persistence.get_one_random(None, filter)
        matching = [canonical(item) for item in self.model.matching(filter)]
        if matching:
            assert canonical(chosen) in matching
        else:
            assert chosen is None

    # After every step

    @invariant()
    def same_items_in_the_same_order(self) -> None:
        if self.persistence is None:
            return
        stored = self.persistence.get_list_by_filter(None, None)
        assert [canonical(item) for item in stored] == [canonical(item) for item in self.model.items]
        if self.on_file:
            in_file = json.loads(self.path.read_text(encoding='utf-8')) if self.path.exists() else []
            expected = [json_form(item, is_item=True) for item in self.model.items]
            assert canonical(in_file) == canonical(expected)


class FileMachine(PersistenceMachine):
    on_file = True


# To replay a failure, decorate the machine class (not the test) with the @reproduce_failure(...)
# line that Hypothesis prints: the class is what run_state_machine_as_test is given.


# Each batch is a run of its own with the profile's examples; see conftest.py.


def test_memory_persistence_behaves_like_the_model(batch, tmp_path, monkeypatch):
    monkeypatch.setattr(PersistenceMachine, 'base_directory', tmp_path)
    run_state_machine_as_test(PersistenceMachine)


def test_file_persistence_behaves_like_the_model(batch, tmp_path, monkeypatch):
    monkeypatch.setattr(PersistenceMachine, 'base_directory', tmp_path)
    run_state_machine_as_test(FileMachine)
