"""JsonFilePersister: what a file holds, what loads from it, and the errors on either side.

One UTF-8 JSON array of items; objects as their attributes or ``to_json()``, datetimes as
ISO 8601 text; ``item_type`` turns loaded mappings back into objects. How the file is replaced
is in ``test_atomic_save.py``.
"""

import dataclasses
import datetime
import json
import os

import pytest
from pip_services3_commons.errors import ConfigException, FileException

from pip_services3_data.persistence import JsonFilePersister
from support import open_file_persistence


def save_and_load(tmp_path, items, item_type=None):
    persister = JsonFilePersister(str(tmp_path / 'data.json'), item_type)
    persister.save(None, items)
    return persister.load(None)


def file_content(tmp_path):
    return json.loads((tmp_path / 'data.json').read_bytes())


# ---------------------------------------------------------------------------------------------
# Loading what is not there, empty, or not a JSON array


@pytest.mark.parametrize('operation', ['load', 'save'])
def test_without_a_path_load_and_save_raise_no_path(operation):
    persister = JsonFilePersister()

    with pytest.raises(ConfigException) as raised:
        persister.load('123') if operation == 'load' else persister.save('123', [{'id': '1'}])

    assert raised.value.code == 'NO_PATH'


def test_a_missing_file_loads_as_an_empty_list_and_is_not_created(tmp_path):
    path = tmp_path / 'missing.json'

    assert JsonFilePersister(str(path)).load(None) == []
    assert not path.exists()


@pytest.mark.parametrize('content', [b'', b'  \n\t\r\n  ', b'\xef\xbb\xbf', b'\xef\xbb\xbf \n'],
                         ids=['empty', 'whitespace', 'bom', 'bom-and-whitespace'])
def test_an_empty_or_whitespace_only_file_is_an_empty_store_that_can_be_written(tmp_path, content):
    path = tmp_path / 'data.json'
    path.write_bytes(content)

    assert JsonFilePersister(str(path)).load(None) == []
    assert path.read_bytes() == content
    open_file_persistence(path).create(None, {'id': '1'})
    assert json.loads(path.read_bytes()) == [{'id': '1'}]


BAD_CONTENTS = {
    'truncated-array': b'[{"id": "1", "name": "Alice"}, {"id": "2", "na',
    'not-json': b'hello, world',
    'trailing-garbage': b'[{"id": "1"}] and more',
    'two-arrays': b'[{"id": "1"}][{"id": "2"}]',
    'top-level-object': b'{"id": "1", "name": "Alice"}',
    'top-level-number': b'42',
    'top-level-boolean': b'true',
    'top-level-string': b'"[{\\"id\\": \\"1\\"}]"',
    'top-level-null': b'null',
    'invalid-utf-8': b'[{"id": "1", "name": "Al\xff\xfece"}]',
    'zero-filled': b'\x00' * 64,
}


@pytest.mark.parametrize('content', list(BAD_CONTENTS.values()), ids=list(BAD_CONTENTS))
def test_a_file_that_is_not_a_json_array_raises_read_failed_naming_the_path(tmp_path, content):
    """3.2.3 loaded corrupt or non-array JSON as ``[]``; what a persistence does after such a
    load is in ``test_failed_load.py``."""
    path = tmp_path / 'data.json'
    path.write_bytes(content)

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(path)).load('123')

    assert raised.value.code == 'READ_FAILED'
    assert str(path) in raised.value.message
    assert raised.value.cause is not None
    assert path.read_bytes() == content


def test_a_path_that_is_a_directory_raises_read_failed(tmp_path):
    (tmp_path / 'data.json').mkdir()

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(tmp_path / 'data.json')).load(None)

    assert raised.value.code == 'READ_FAILED'
    assert isinstance(raised.value.cause, OSError)


def test_a_file_that_cannot_be_opened_raises_read_failed_not_an_empty_list(tmp_path, monkeypatch):
    path = tmp_path / 'data.json'
    path.write_bytes(b'[{"id": "1"}]')
    real_open = os.open

    def open_denied(opened_path, *args, **kwargs):
        if str(opened_path) == str(path):
            raise PermissionError(13, 'Permission denied', str(path))
        return real_open(opened_path, *args, **kwargs)

    monkeypatch.setattr(os, 'open', open_denied)

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(path)).load(None)

    assert raised.value.code == 'READ_FAILED'
    assert isinstance(raised.value.cause, PermissionError)


# ---------------------------------------------------------------------------------------------
# What a save writes


class Tagged:
    def __init__(self, id, inner=None):
        self.id = id
        self.inner = inner


def test_objects_are_written_as_attributes_without_dunder_names_but_keys_and_text_are_data(tmp_path):
    """As 3.2.3 did, an object's dunder attributes stay out of the file, also for an object
    nested in a dict item; a dict key or a text that merely starts with '__' is written."""
    outer = Tagged('1', Tagged('2'))
    outer.__marker__ = 'internal'
    outer.inner.__marker__ = 'internal'
    inner_of_a_dict = Tagged('4')
    inner_of_a_dict.__marker__ = 'internal'

    save_and_load(tmp_path, [outer, {'id': '3', '__note': '__text', 'inner': inner_of_a_dict}])

    assert file_content(tmp_path) == [
        {'id': '1', 'inner': {'id': '2', 'inner': None}},
        {'id': '3', '__note': '__text', 'inner': {'id': '4', 'inner': None}},
    ]


def test_thousands_of_mixed_items_are_written_whole_and_in_order(tmp_path):
    """The encoder runs over a few hundred items at a time; the file must still be one array."""
    items = [Tagged(str(number)) if number % 3 else {'id': str(number), 'tags': [number]}
             for number in range(2000)]

    loaded = save_and_load(tmp_path, items)

    assert [item['id'] for item in loaded] == [str(number) for number in range(2000)]
    assert loaded[3] == {'id': '3', 'tags': [3]} and loaded[4] == {'id': '4', 'inner': None}


def test_datetimes_are_written_as_iso_8601_text(tmp_path):
    happened_at = datetime.datetime(2024, 5, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)

    loaded = save_and_load(tmp_path, [{'id': '1', 'happened_at': happened_at, 'day': datetime.date(2024, 5, 1)}])

    assert loaded == [{'id': '1', 'happened_at': '2024-05-01T12:30:15+00:00', 'day': '2024-05-01'}]


def test_non_ascii_text_round_trips_as_utf_8(tmp_path):
    names = ['Zürich', 'Ελληνικά', '東京', 'emoji 🙂', 'nul \u0000 and quote " and backslash \\']

    loaded = save_and_load(tmp_path, [{'id': str(number), 'name': name} for number, name in enumerate(names)])

    assert [item.name for item in loaded] == names
    text = (tmp_path / 'data.json').read_bytes().decode('utf-8')
    assert [item['name'] for item in json.loads(text)] == names


UNREPRESENTABLE_VALUES = {
    'complex': complex(1, 2),
    'bytes': b'\x00\x01',
    'set': {1, 2},
    'object': object(),
    'nan': float('nan'),
    'infinity': float('inf'),
    'lone-surrogate': '\ud800',
    'function': len,
}


@pytest.mark.parametrize('value', list(UNREPRESENTABLE_VALUES.values()), ids=list(UNREPRESENTABLE_VALUES))
def test_a_value_json_cannot_represent_raises_write_failed_and_leaves_the_file(tmp_path, value):
    path = tmp_path / 'data.json'
    persister = JsonFilePersister(str(path))
    persister.save(None, [{'id': '1', 'name': 'Alice'}])
    content = path.read_bytes()

    with pytest.raises(FileException) as raised:
        persister.save('123', [{'id': '1', 'name': 'Alice'}, {'id': '2', 'value': value}])

    assert raised.value.code == 'WRITE_FAILED'
    assert str(path) in raised.value.message
    assert raised.value.cause is not None
    assert path.read_bytes() == content
    assert sorted(os.listdir(tmp_path)) == ['.data.json.lock', 'data.json']


# ---------------------------------------------------------------------------------------------
# What loads back, with and without an item type


class Address:
    def __init__(self, city, street):
        self.city = city
        self.street = street


class Customer:
    def __init__(self, id, name, address):
        self.id = id
        self.name = name
        self.address = address


@dataclasses.dataclass
class Point:
    id: str
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class FrozenPoint:
    id: str
    x: float


class SlottedItem:
    __slots__ = ('id', 'name')

    def __init__(self, id, name):
        self.id = id
        self.name = name


class Money:
    """Serialises itself with to_json() and comes back through from_json()."""

    def __init__(self, id, amount_cents, currency):
        self.id = id
        self.amount_cents = amount_cents
        self.currency = currency

    def to_json(self):
        return {'id': self.id, 'amount': f'{self.amount_cents // 100}.{self.amount_cents % 100:02d}',
                'currency': self.currency}

    @classmethod
    def from_json(cls, mapping):
        whole, cents = mapping['amount'].split('.')
        return cls(mapping['id'], int(whole) * 100 + int(cents), mapping['currency'])


class Event:
    """Keeps a datetime, written as ISO 8601 text and parsed back by from_json()."""

    def __init__(self, id, happened_at):
        self.id = id
        self.happened_at = happened_at

    @staticmethod
    def from_json(mapping):
        return Event(mapping['id'], datetime.datetime.fromisoformat(mapping['happened_at']))


class NeverBuilt:
    """Loads without its __init__, which would fail."""

    def __init__(self, *args):
        raise AssertionError('__init__ must not be called when loading')


def test_without_an_item_type_objects_reload_as_dicts_with_attribute_access_all_the_way_down(tmp_path):
    loaded = save_and_load(tmp_path, [Customer('1', 'Alice', Address('Zürich', 'Bahnhofstrasse 1'))])

    assert loaded == [{'id': '1', 'name': 'Alice', 'address': {'city': 'Zürich', 'street': 'Bahnhofstrasse 1'}}]
    assert loaded[0].name == 'Alice'
    assert loaded[0].address['city'] == 'Zürich'


@pytest.mark.parametrize('item, expected_file', [
    (Point('1', 1.5, -2.0), {'id': '1', 'x': 1.5, 'y': -2.0}),
    (FrozenPoint('1', 1.5), {'id': '1', 'x': 1.5}),
    (SlottedItem('1', 'Alice'), {'id': '1', 'name': 'Alice'}),
    (Money('1', 1999, 'EUR'), {'id': '1', 'amount': '19.99', 'currency': 'EUR'}),
], ids=['dataclass', 'frozen-dataclass', 'slots', 'to_json-and-from_json'])
def test_objects_are_written_as_their_fields_and_reload_as_the_item_type(tmp_path, item, expected_file):
    loaded = save_and_load(tmp_path, [item], item_type=type(item))

    assert file_content(tmp_path) == [expected_file]
    assert type(loaded[0]) is type(item)
    fields = item.__slots__ if hasattr(item, '__slots__') else vars(item)
    assert all(getattr(loaded[0], name) == getattr(item, name) for name in fields)


def test_an_item_type_with_from_json_turns_iso_text_back_into_datetimes(tmp_path):
    happened_at = datetime.datetime(2024, 5, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)

    loaded = save_and_load(tmp_path, [Event('1', happened_at)], item_type=Event)

    assert isinstance(loaded[0], Event) and loaded[0].happened_at == happened_at


def test_an_item_type_without_from_json_is_built_without_calling_init(tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(b'[{"id": "1", "name": "Alice"}, {"id": "2", "name": "Bob"}]')

    loaded = JsonFilePersister(str(path), NeverBuilt).load(None)

    assert [type(item) for item in loaded] == [NeverBuilt, NeverBuilt]
    assert [(item.id, item.name) for item in loaded] == [('1', 'Alice'), ('2', 'Bob')]


class WithNormalisedName:
    """Keeps its name in capitals through a property setter."""

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value.upper()


def test_loading_into_an_item_type_runs_its_property_setters_and_keeps_fields_apart(tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(b'[{"id": "1", "name": "alice"}, {"id": "2", "note": "no name"}]')

    first, second = JsonFilePersister(str(path), WithNormalisedName).load(None)

    assert (first.id, first.name, vars(first)) == ('1', 'ALICE', {'id': '1', '_name': 'ALICE'})
    assert vars(second) == {'id': '2', 'note': 'no name'}
    second.extra = 'set later'
    assert not hasattr(first, 'extra') and not hasattr(first, 'note')


def test_a_mapping_the_item_type_cannot_take_raises_read_failed(tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(b'[{"id": "1", "currency": "EUR"}]')  # from an older version without an amount

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(path), Money).load(None)

    assert raised.value.code == 'READ_FAILED'
    assert str(path) in raised.value.message
    assert raised.value.cause is not None


def test_a_file_persistence_with_an_item_type_works_on_instances_after_a_restart(tmp_path):
    """3.2.3 reloaded items as dicts, so attribute lookups failed after a restart."""
    path = tmp_path / 'data.json'
    open_file_persistence(path, Point).create(None, Point('1', 1.0, 2.0))
    open_file_persistence(path, Point).create(None, Point('2', 3.0, 4.0))

    restarted = open_file_persistence(path, Point)

    assert restarted.get_one_by_id(None, '2') == Point('2', 3.0, 4.0)
    assert restarted.get_list_by_filter(None, lambda point: point.x > 2) == [Point('2', 3.0, 4.0)]
    assert restarted.update_partially(None, '1', {'y': 5.0}) == Point('1', 1.0, 5.0)


# ---------------------------------------------------------------------------------------------
# Files written by the other ports


NODE_FILE = (b'[{"id":"1","siteId":"s1","udi":"00001","center":{"type":"Point","coordinates":[0,0]},'
             b'"radius":50,"label":null},{"id":"2","siteId":"s1","udi":"00002","center":{"type":"Point",'
             b'"coordinates":[2,2]},"radius":70,"label":"TestBeacon2"}]')

DOTNET_FILE = ('\ufeff[\r\n  {\r\n    "id": "7",\r\n    "name": "Kühlschrank",\r\n    "tags": [],\r\n'
               '    "parent": null,\r\n    "createTime": "2024-05-01T12:30:15.1234567Z"\r\n  }\r\n]\r\n'
               ).encode('utf-8')


def test_a_compact_camel_case_file_of_the_node_port_loads_and_survives_a_write(tmp_path):
    path = tmp_path / 'beacons.json'
    path.write_bytes(NODE_FILE)
    persistence = open_file_persistence(path)

    beacon = persistence.get_one_by_id(None, '1')
    near = persistence.get_list_by_filter(None, lambda item: item.radius > 60 and item.center['coordinates'][0] == 2)
    persistence.update_partially(None, '1', {'label': 'TestBeacon1'})

    assert (beacon.id, beacon.siteId, beacon.udi, beacon.radius, beacon.label) == ('1', 's1', '00001', 50, None)
    assert [item.udi for item in near] == ['00002']
    assert json.loads(path.read_bytes()) == [dict(item, label=label) for item, label in zip(
        json.loads(NODE_FILE), ['TestBeacon1', 'TestBeacon2'])]


def test_an_indented_file_with_a_byte_order_mark_and_crlf_loads(tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(DOTNET_FILE)

    loaded = JsonFilePersister(str(path)).load(None)

    assert loaded == [{'id': '7', 'name': 'Kühlschrank', 'tags': [], 'parent': None,
                       'createTime': '2024-05-01T12:30:15.1234567Z'}]
    assert loaded[0].createTime.endswith('Z')
