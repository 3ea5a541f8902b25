"""JsonFilePersister: the JSON file format, what loads, what saves, and what is never overwritten."""

import dataclasses
import datetime
import json
import os
import stat

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.errors import ConfigException, FileException, InvalidStateException

from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister
from support import open_file_persistence

# The naming pattern of _atomic_file: '.<file name>.<16 hex digits>.tmp' beside the file.
STALE_TEMPORARY_NAME = '.data.json.0123456789abcdef.tmp'


def temporary_files_in(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith('.tmp'))


# --- Configuration --------------------------------------------------------------------------

def test_path_is_given_to_the_constructor_and_can_be_changed(tmp_path):
    persister = JsonFilePersister(str(tmp_path / 'first.json'))
    assert persister.path == str(tmp_path / 'first.json')

    persister.path = str(tmp_path / 'second.json')
    persister.save(None, [{'id': '1'}])

    assert persister.path == str(tmp_path / 'second.json')
    assert (tmp_path / 'second.json').exists()
    assert not (tmp_path / 'first.json').exists()


def test_configure_sets_the_path_and_an_absent_key_keeps_it(tmp_path):
    persister = JsonFilePersister()
    assert persister.path is None

    persister.configure(ConfigParams.from_tuples('path', str(tmp_path / 'data.json')))
    assert persister.path == str(tmp_path / 'data.json')

    persister.configure(ConfigParams.from_tuples('options.max_page_size', 10))
    assert persister.path == str(tmp_path / 'data.json')


def test_a_file_persistence_built_without_arguments_is_configured_by_path(tmp_path):
    # 3.2.3 defect: IdentifiableFilePersistence() could not be configured.
    path = tmp_path / 'data.json'
    persistence = IdentifiableFilePersistence()
    persistence.configure(ConfigParams.from_tuples('path', str(path)))
    persistence.open(None)

    persistence.create(None, {'id': '1', 'name': 'Alice'})

    assert json.loads(path.read_bytes()) == [{'id': '1', 'name': 'Alice'}]


@pytest.mark.parametrize('operation', ['load', 'save'])
def test_without_a_path_load_and_save_raise_no_path(operation):
    # 3.2.3 defect: a save without a path was reported as a write failure.
    persister = JsonFilePersister()

    with pytest.raises(ConfigException) as raised:
        if operation == 'load':
            persister.load('123')
        else:
            persister.save('123', [{'id': '1'}])

    assert raised.value.code == 'NO_PATH'


# --- Loading what is not there or empty -------------------------------------------------------

def test_a_missing_file_loads_as_an_empty_list_and_is_not_created(tmp_path):
    path = tmp_path / 'missing.json'

    assert JsonFilePersister(str(path)).load(None) == []
    assert not path.exists()


@pytest.mark.parametrize('content', [b'', b' ', b'  \n\t\r\n  ', b'\xef\xbb\xbf', b'\xef\xbb\xbf \n'],
                         ids=['empty', 'space', 'whitespace', 'bom', 'bom-and-whitespace'])
def test_an_empty_or_whitespace_only_file_loads_as_an_empty_list(tmp_path, content):
    path = tmp_path / 'data.json'
    path.write_bytes(content)

    assert JsonFilePersister(str(path)).load(None) == []
    assert path.read_bytes() == content


# --- Loading what is not a JSON array ----------------------------------------------------------

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


@pytest.fixture(params=list(BAD_CONTENTS), ids=list(BAD_CONTENTS))
def bad_file(request, tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(BAD_CONTENTS[request.param])
    return path


def test_a_file_that_is_not_a_json_array_raises_read_failed_naming_the_path(bad_file):
    # 3.2.3 defect: corrupt or non-array JSON loaded as [], and the next write overwrote it.
    content = bad_file.read_bytes()

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(bad_file)).load('123')

    assert raised.value.code == 'READ_FAILED'
    assert str(bad_file) in raised.value.message
    assert raised.value.cause is not None
    assert bad_file.read_bytes() == content


def test_a_persistence_on_a_bad_file_refuses_every_write_and_never_touches_it(bad_file):
    # 3.2.3 defect: the persistence started empty on a corrupt file and overwrote it with [].
    content = bad_file.read_bytes()
    persistence = IdentifiableFilePersistence(JsonFilePersister(str(bad_file)))

    with pytest.raises(FileException) as raised:
        persistence.open('123')
    assert raised.value.code == 'READ_FAILED'

    writes = [
        lambda: persistence.create('123', {'id': '1', 'name': 'Alice'}),
        lambda: persistence.set('123', {'id': '2', 'name': 'Bob'}),
        lambda: persistence.clear('123'),
        lambda: persistence.save('123'),
    ]
    for write in writes:
        with pytest.raises(InvalidStateException) as refused:
            write()
        assert refused.value.code == 'LOAD_FAILED'
    assert persistence.get_count_by_filter('123', None) == 0

    persistence.close('123')

    assert bad_file.read_bytes() == content
    assert sorted(os.listdir(bad_file.parent)) == ['.data.json.lock', 'data.json']


def test_a_file_corrupted_while_open_is_not_overwritten_until_it_loads_again(tmp_path):
    path = tmp_path / 'data.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': '1', 'name': 'Alice'})
    corrupt_content = b'[{"id": "1", "name": "Ali'
    path.write_bytes(corrupt_content)

    with pytest.raises(FileException) as raised:
        persistence.load(None)
    assert raised.value.code == 'READ_FAILED'

    # Memory is left as it was, readable, but no write may replace the file.
    assert persistence.get_one_by_id(None, '1') == {'id': '1', 'name': 'Alice'}
    with pytest.raises(InvalidStateException) as refused:
        persistence.update(None, {'id': '1', 'name': 'Alicia'})
    assert refused.value.code == 'LOAD_FAILED'
    persistence.close(None)
    assert path.read_bytes() == corrupt_content

    # Once the file is repaired, the next successful load ends the failed state.
    path.write_bytes(b'[{"id": "1", "name": "Alice"}]')
    persistence.open(None)
    persistence.update(None, {'id': '1', 'name': 'Alicia'})
    assert json.loads(path.read_bytes()) == [{'id': '1', 'name': 'Alicia'}]


def test_a_path_that_is_a_directory_raises_read_failed(tmp_path):
    directory = tmp_path / 'data.json'
    directory.mkdir()

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(directory)).load(None)

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


# --- What a save writes and a load gives back ---------------------------------------------------

class Address:
    def __init__(self, city, street):
        self.city = city
        self.street = street


class Customer:
    def __init__(self, id, name, address, tags):
        self.id = id
        self.name = name
        self.address = address
        self.tags = tags


@dataclasses.dataclass
class Point:
    id: str
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class FrozenPoint:
    id: str
    x: float
    y: float


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


def save_and_load(tmp_path, items, item_type=None):
    persister = JsonFilePersister(str(tmp_path / 'data.json'), item_type)
    persister.save(None, items)
    return persister.load(None)


class Tagged:
    def __init__(self, id, inner=None):
        self.id = id
        self.inner = inner


def test_objects_are_written_without_dunder_attributes_but_dict_keys_and_text_are_kept(tmp_path):
    """As 3.2.3 did, an object's dunder attributes stay out of the file; a dict key or a text
    that merely starts with '__' is data and is written."""
    outer = Tagged('1', Tagged('2'))
    outer.__marker__ = 'internal'
    outer.inner.__marker__ = 'internal'
    items = [outer, {'id': '3', '__note': '__text'}]

    save_and_load(tmp_path, items)

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [
        {'id': '1', 'inner': {'id': '2', 'inner': None}},
        {'id': '3', '__note': '__text'},
    ]


def test_a_dunder_attribute_of_an_object_nested_in_a_dict_item_is_left_out(tmp_path):
    inner = Tagged('2')
    inner.__marker__ = 'internal'

    save_and_load(tmp_path, [{'id': '1', 'inner': inner}])

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [
        {'id': '1', 'inner': {'id': '2', 'inner': None}},
    ]


def test_thousands_of_mixed_items_are_written_whole_and_in_order(tmp_path):
    """The encoder runs over a few hundred items at a time; the file must still be one array."""
    items = [Tagged(str(number)) if number % 3 else {'id': str(number), 'tags': [number]}
             for number in range(2000)]

    loaded = save_and_load(tmp_path, items)

    assert [item['id'] for item in loaded] == [str(number) for number in range(2000)]
    assert loaded[3] == {'id': '3', 'tags': [3]} and loaded[4] == {'id': '4', 'inner': None}


def test_plain_objects_are_written_as_their_attributes(tmp_path):
    save_and_load(tmp_path, [Tagged('1', Tagged('2'))])

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [
        {'id': '1', 'inner': {'id': '2', 'inner': None}},
    ]


def test_datetimes_are_written_as_iso_8601_text(tmp_path):
    happened_at = datetime.datetime(2024, 5, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)
    items = [{'id': '1', 'happened_at': happened_at, 'day': datetime.date(2024, 5, 1)}]

    loaded = save_and_load(tmp_path, items)

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [
        {'id': '1', 'happened_at': '2024-05-01T12:30:15+00:00', 'day': '2024-05-01'}
    ]
    assert loaded == [{'id': '1', 'happened_at': '2024-05-01T12:30:15+00:00', 'day': '2024-05-01'}]


def test_an_item_type_with_from_json_turns_iso_text_back_into_datetimes(tmp_path):
    happened_at = datetime.datetime(2024, 5, 1, 12, 30, 15, tzinfo=datetime.timezone.utc)

    loaded = save_and_load(tmp_path, [Event('1', happened_at)], item_type=Event)

    assert isinstance(loaded[0], Event)
    assert loaded[0].happened_at == happened_at


def test_nested_objects_reload_as_mappings_inside_an_item_with_attribute_access(tmp_path):
    customer = Customer('1', 'Alice', Address('Zürich', 'Bahnhofstrasse 1'), ['vip'])

    loaded = save_and_load(tmp_path, [customer])

    assert loaded == [{'id': '1', 'name': 'Alice', 'tags': ['vip'],
                       'address': {'city': 'Zürich', 'street': 'Bahnhofstrasse 1'}}]
    assert loaded[0].name == 'Alice'
    assert loaded[0].address['city'] == 'Zürich'
    assert loaded[0]['address']['street'] == 'Bahnhofstrasse 1'


def test_dataclasses_reload_as_instances_of_the_item_type(tmp_path):
    loaded = save_and_load(tmp_path, [Point('1', 1.5, -2.0)], item_type=Point)

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [{'id': '1', 'x': 1.5, 'y': -2.0}]
    assert loaded == [Point('1', 1.5, -2.0)]


def test_frozen_dataclasses_reload_as_instances_of_the_item_type(tmp_path):
    loaded = save_and_load(tmp_path, [FrozenPoint('1', 1.5, -2.0)], item_type=FrozenPoint)

    assert loaded == [FrozenPoint('1', 1.5, -2.0)]


def test_slotted_objects_are_saved_and_reload_as_instances_of_the_item_type(tmp_path):
    loaded = save_and_load(tmp_path, [SlottedItem('1', 'Alice')], item_type=SlottedItem)

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [{'id': '1', 'name': 'Alice'}]
    assert isinstance(loaded[0], SlottedItem)
    assert (loaded[0].id, loaded[0].name) == ('1', 'Alice')


def test_objects_with_to_json_are_saved_as_its_result_and_reload_through_from_json(tmp_path):
    loaded = save_and_load(tmp_path, [Money('1', 1999, 'EUR')], item_type=Money)

    assert json.loads((tmp_path / 'data.json').read_bytes()) == [{'id': '1', 'amount': '19.99', 'currency': 'EUR'}]
    assert isinstance(loaded[0], Money)
    assert (loaded[0].amount_cents, loaded[0].currency) == (1999, 'EUR')


def test_an_item_type_without_from_json_is_built_without_calling_init(tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(b'[{"id": "1", "name": "Alice"}, {"id": "2", "name": "Bob"}]')

    loaded = JsonFilePersister(str(path), NeverBuilt).load(None)

    assert [type(item) for item in loaded] == [NeverBuilt, NeverBuilt]
    assert [(item.id, item.name) for item in loaded] == [('1', 'Alice'), ('2', 'Bob')]


def test_a_mapping_the_item_type_cannot_take_raises_read_failed(tmp_path):
    path = tmp_path / 'data.json'
    # Written by an older version that had no amount: from_json raises a KeyError.
    path.write_bytes(b'[{"id": "1", "currency": "EUR"}]')

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(path), Money).load(None)

    assert raised.value.code == 'READ_FAILED'
    assert str(path) in raised.value.message
    assert raised.value.cause is not None


def test_a_file_persistence_with_an_item_type_keeps_working_after_a_restart(tmp_path):
    # 3.2.3 defect: after a reload the items were dicts and attribute lookups failed.
    path = tmp_path / 'data.json'
    first = open_file_persistence(path, Point)
    first.create(None, Point('1', 1.0, 2.0))
    first.create(None, Point('2', 3.0, 4.0))
    first.close(None)

    second = open_file_persistence(path, Point)

    assert second.get_one_by_id(None, '2') == Point('2', 3.0, 4.0)
    assert second.get_list_by_filter(None, lambda point: point.x > 2) == [Point('2', 3.0, 4.0)]


NODE_FILE = (b'[{"id":"1","siteId":"s1","udi":"00001","center":{"type":"Point","coordinates":[0,0]},'
             b'"radius":50,"label":null},{"id":"2","siteId":"s1","udi":"00002","center":{"type":"Point",'
             b'"coordinates":[2,2]},"radius":70,"label":"TestBeacon2"}]')

DOTNET_FILE = ('\ufeff[\r\n  {\r\n    "id": "7",\r\n    "name": "Kühlschrank",\r\n    "tags": [],\r\n'
               '    "parent": null,\r\n    "createTime": "2024-05-01T12:30:15.1234567Z"\r\n  }\r\n]\r\n').encode('utf-8')


def test_a_compact_camel_case_file_written_by_the_node_port_loads_with_attribute_access(tmp_path):
    path = tmp_path / 'beacons.json'
    path.write_bytes(NODE_FILE)
    persistence = open_file_persistence(path)

    beacon = persistence.get_one_by_id(None, '1')
    assert (beacon.id, beacon.siteId, beacon.udi, beacon.radius) == ('1', 's1', '00001', 50)
    assert beacon.center == {'type': 'Point', 'coordinates': [0, 0]}
    assert beacon.label is None
    near = persistence.get_list_by_filter(None, lambda item: item.radius > 60 and item.center['coordinates'][0] == 2)
    assert [item.udi for item in near] == ['00002']


def test_an_indented_file_with_a_byte_order_mark_and_crlf_loads(tmp_path):
    path = tmp_path / 'data.json'
    path.write_bytes(DOTNET_FILE)

    loaded = JsonFilePersister(str(path)).load(None)

    assert loaded == [{'id': '7', 'name': 'Kühlschrank', 'tags': [], 'parent': None,
                       'createTime': '2024-05-01T12:30:15.1234567Z'}]
    assert loaded[0].createTime.endswith('Z')


def test_a_file_from_another_port_survives_a_write_by_this_one(tmp_path):
    path = tmp_path / 'beacons.json'
    path.write_bytes(NODE_FILE)
    persistence = open_file_persistence(path)

    persistence.update_partially(None, '1', {'label': 'TestBeacon1'})

    assert json.loads(path.read_bytes()) == [
        {'id': '1', 'siteId': 's1', 'udi': '00001', 'center': {'type': 'Point', 'coordinates': [0, 0]},
         'radius': 50, 'label': 'TestBeacon1'},
        {'id': '2', 'siteId': 's1', 'udi': '00002', 'center': {'type': 'Point', 'coordinates': [2, 2]},
         'radius': 70, 'label': 'TestBeacon2'},
    ]


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
    assert temporary_files_in(tmp_path) == []


@pytest.mark.parametrize('value', list(UNREPRESENTABLE_VALUES.values()), ids=list(UNREPRESENTABLE_VALUES))
def test_a_create_with_an_unrepresentable_value_is_rolled_back(tmp_path, value):
    # 3.2.3 defect: the file was truncated before serialising, so this emptied it.
    path = tmp_path / 'data.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': '1', 'name': 'Alice'})
    content = path.read_bytes()

    with pytest.raises(FileException) as raised:
        persistence.create(None, {'id': '2', 'value': value})

    assert raised.value.code == 'WRITE_FAILED'
    assert path.read_bytes() == content
    assert persistence.get_one_by_id(None, '2') is None
    assert persistence.get_count_by_filter(None, None) == 1
    persistence.create(None, {'id': '3', 'name': 'Carol'})
    assert [item['id'] for item in json.loads(path.read_bytes())] == ['1', '3']


# --- Where and how the file is written -----------------------------------------------------------

def test_missing_parent_directories_are_created(tmp_path):
    path = tmp_path / 'a' / 'b' / 'c' / 'data.json'

    JsonFilePersister(str(path)).save(None, [{'id': '1'}])

    assert json.loads(path.read_bytes()) == [{'id': '1'}]


def test_a_persistence_opened_in_a_missing_directory_starts_empty_and_creates_it(tmp_path):
    path = tmp_path / 'not' / 'yet' / 'data.json'
    persistence = open_file_persistence(path)
    assert persistence.get_count_by_filter(None, None) == 0

    persistence.create(None, {'id': '1'})

    assert json.loads(path.read_bytes()) == [{'id': '1'}]


@pytest.mark.parametrize('mode', [0o640, 0o600, 0o664, 0o444])
def test_an_existing_files_permission_bits_are_kept(tmp_path, mode):
    path = tmp_path / 'data.json'
    persister = JsonFilePersister(str(path))
    persister.save(None, [{'id': '1'}])
    os.chmod(path, mode)

    persister.save(None, [{'id': '1'}, {'id': '2'}])

    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert len(json.loads(path.read_bytes())) == 2


def test_a_new_files_permission_bits_follow_the_umask_like_an_ordinary_open(tmp_path):
    path = tmp_path / 'data.json'
    previous_umask = os.umask(0o027)
    try:
        JsonFilePersister(str(path)).save(None, [{'id': '1'}])
    finally:
        os.umask(previous_umask)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_a_save_replaces_the_file_rather_than_rewriting_it_in_place(tmp_path):
    # 3.2.3 defect: it truncated the file and wrote it in place, so a reader or a crash in
    # between saw an empty or half-written file. A replace gives the path a new inode.
    path = tmp_path / 'data.json'
    persister = JsonFilePersister(str(path))
    persister.save(None, [{'id': '1'}])
    with open(path, 'rb') as reader_of_the_old_file:
        persister.save(None, [{'id': '1'}, {'id': '2'}])
        assert json.loads(reader_of_the_old_file.read()) == [{'id': '1'}]

    assert json.loads(path.read_bytes()) == [{'id': '1'}, {'id': '2'}]


def test_a_save_through_a_symbolic_link_updates_the_linked_file_and_keeps_the_link(tmp_path):
    # A rename over the link itself would turn it into a regular file and leave the real
    # file, which other programs read, at its old content.
    real_path = tmp_path / 'volume' / 'data.json'
    real_path.parent.mkdir()
    real_path.write_bytes(b'[]')
    link_path = tmp_path / 'data.json'
    link_path.symlink_to(real_path)

    JsonFilePersister(str(link_path)).save(None, [{'id': '1'}])

    assert link_path.is_symlink()
    assert json.loads(real_path.read_bytes()) == [{'id': '1'}]
    assert temporary_files_in(tmp_path) == [] and temporary_files_in(real_path.parent) == []


def write_stale_and_unrelated_files(directory):
    (directory / STALE_TEMPORARY_NAME).write_bytes(b'[{"id": "half-writ')
    (directory / '.data.json.fedcba9876543210.tmp').write_bytes(b'')
    unrelated = {
        'other.json': b'[]',
        '.other.json.0123456789abcdef.tmp': b'[',
        'data.json.bak': b'[{"id": "backup"}]',
        'notes.tmp': b'notes',
        'data.json.tmp': b'somebody else\'s',
    }
    for name, content in unrelated.items():
        (directory / name).write_bytes(content)
    return unrelated


@pytest.mark.parametrize('file_exists', [True, False], ids=['existing-file', 'missing-file'])
def test_a_load_removes_stale_temporary_files_and_nothing_else(tmp_path, file_exists):
    path = tmp_path / 'data.json'
    if file_exists:
        path.write_bytes(b'[{"id": "1"}]')
    unrelated = write_stale_and_unrelated_files(tmp_path)

    loaded = JsonFilePersister(str(path)).load(None)

    assert loaded == ([{'id': '1'}] if file_exists else [])
    assert not (tmp_path / STALE_TEMPORARY_NAME).exists()
    assert not (tmp_path / '.data.json.fedcba9876543210.tmp').exists()
    for name, content in unrelated.items():
        assert (tmp_path / name).read_bytes() == content


def test_a_save_removes_stale_temporary_files_and_nothing_else(tmp_path):
    path = tmp_path / 'data.json'
    unrelated = write_stale_and_unrelated_files(tmp_path)

    JsonFilePersister(str(path)).save(None, [{'id': '1'}])

    assert json.loads(path.read_bytes()) == [{'id': '1'}]
    assert sorted(os.listdir(tmp_path)) == sorted(['data.json', '.data.json.lock', *unrelated])
    for name, content in unrelated.items():
        assert (tmp_path / name).read_bytes() == content


def test_a_save_leaves_no_temporary_file_behind(tmp_path):
    persister = JsonFilePersister(str(tmp_path / 'data.json'))

    for count in range(5):
        persister.save(None, [{'id': str(number)} for number in range(count)])

    assert sorted(os.listdir(tmp_path)) == ['.data.json.lock', 'data.json']
