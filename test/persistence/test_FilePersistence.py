"""FilePersistence: the JSON file wiring, configuration, and the failed-load state."""

import json

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.errors import ConfigException, FileException, InvalidStateException
from pip_services3_commons.refer import Descriptor
from pip_services3_components.build import Factory
from pip_services3_components.log import LogLevel

from pip_services3_data.persistence import FilePersistence, JsonFilePersister
from support import Dummy, all_items, file_state, keys_of

CORRUPT_CONTENTS = {
    'invalid-json': '[{"key": "a"',
    'object-at-top-level': '{"key": "a"}',
    'string-at-top-level': '"a"',
}


def open_file_persistence(path):
    persistence = FilePersistence(JsonFilePersister(str(path)))
    persistence.open(None)
    return persistence


# ---------------------------------------------------------------------------------------------
# Construction and configuration


def test_a_file_persistence_without_arguments_makes_its_own_persister():
    persistence = FilePersistence()

    assert isinstance(persistence._persister, JsonFilePersister)
    assert persistence._loader is persistence._persister
    assert persistence._saver is persistence._persister
    assert persistence._persister.path is None


def test_the_given_persister_is_the_loader_and_the_saver(tmp_path):
    persister = JsonFilePersister(str(tmp_path / 'items.json'))

    persistence = FilePersistence(persister)

    assert persistence._persister is persister
    assert persistence._loader is persister and persistence._saver is persister


def test_configure_sets_the_path_and_the_max_page_size(tmp_path):
    path = tmp_path / 'items.json'
    persistence = FilePersistence()

    persistence.configure(ConfigParams.from_tuples('path', str(path), 'options.max_page_size', 2))
    persistence.open(None)
    for key in 'abc':
        persistence.create(None, {'key': key})

    page = persistence.get_page_by_filter(None, None, None)
    assert keys_of(page.data) == ['a', 'b'] and page.total == 3
    assert keys_of(json.loads(path.read_text(encoding='utf-8'))) == ['a', 'b', 'c']


def test_configure_without_a_path_keeps_the_path(tmp_path):
    path = str(tmp_path / 'items.json')
    persistence = FilePersistence(JsonFilePersister(path))

    persistence.configure(ConfigParams.from_tuples('options.max_page_size', 5))

    assert persistence._persister.path == path
    assert persistence._max_page_size == 5


def test_the_json_file_persister_reads_its_path_from_configuration(tmp_path):
    persister = JsonFilePersister()

    persister.configure(ConfigParams.from_tuples('path', str(tmp_path / 'first.json')))
    persister.configure(ConfigParams.from_tuples('other', 'value'))

    assert persister.path == str(tmp_path / 'first.json')


def test_a_subclass_built_by_a_factory_without_arguments_is_configured_and_works(tmp_path):
    class DummyFilePersistence(FilePersistence):
        pass

    descriptor = Descriptor('test', 'persistence', 'file', 'default', '1.0')
    factory = Factory()
    factory.register_as_type(descriptor, DummyFilePersistence)
    path = tmp_path / 'data' / 'dummies.json'

    persistence = factory.create(descriptor)
    persistence.configure(ConfigParams.from_tuples(
        'descriptor', str(descriptor), 'path', str(path), 'options.max_page_size', 10))
    persistence.open(None)
    persistence.create(None, {'key': 'a'})
    persistence.close(None)

    assert keys_of(all_items(open_file_persistence(path))) == ['a']


# ---------------------------------------------------------------------------------------------
# Loading and saving


def test_opening_a_missing_file_starts_empty(tmp_path):
    persistence = open_file_persistence(tmp_path / 'missing.json')

    assert persistence.is_open()
    assert all_items(persistence) == []


def test_opening_without_a_path_is_a_config_error():
    persistence = FilePersistence()

    with pytest.raises(ConfigException) as raised:
        persistence.open(None)

    assert raised.value.code == 'NO_PATH'


def test_a_write_is_in_the_file_when_the_call_returns(tmp_path):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)

    persistence.create(None, Dummy('1', 'a', {'nested': [1, 2]}))

    assert json.loads(path.read_text(encoding='utf-8')) == [{'id': '1', 'key': 'a', 'content': {'nested': [1, 2]}}]


def test_items_written_by_another_port_load_with_attribute_access(tmp_path):
    path = tmp_path / 'items.json'
    path.write_text('[{"id": "1", "key": "a", "create_time": "2020-01-01T00:00:00.000Z"}, '
                    '{"id": "2", "key": "b", "tags": ["x"]}]', encoding='utf-8')

    persistence = open_file_persistence(path)
    found = persistence.get_list_by_filter(None, lambda item: item.key == 'b')

    assert len(found) == 1 and found[0].tags == ['x'] and isinstance(found[0], dict)
    assert json.loads(json.dumps(found[0])) == {'id': '2', 'key': 'b', 'tags': ['x']}


def test_a_value_json_cannot_represent_fails_the_write_and_changes_nothing(tmp_path):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'key': 'a'})
    file_before = file_state(path)

    with pytest.raises(FileException) as raised:
        persistence.create(None, {'key': 'b', 'content': complex(1, 2)})

    assert raised.value.code == 'WRITE_FAILED'
    assert keys_of(all_items(persistence)) == ['a']
    assert file_state(path) == file_before


def test_a_write_without_a_path_is_a_config_error_and_changes_nothing(tmp_path):
    persistence = FilePersistence()

    with pytest.raises(ConfigException) as raised:
        persistence.create(None, {'key': 'a'})

    assert raised.value.code == 'NO_PATH'
    persistence.configure(ConfigParams.from_tuples('path', str(tmp_path / 'items.json')))
    assert all_items(persistence) == []


# ---------------------------------------------------------------------------------------------
# The failed-load state


@pytest.mark.parametrize('content', list(CORRUPT_CONTENTS.values()), ids=list(CORRUPT_CONTENTS))
def test_a_file_that_cannot_be_read_fails_open_with_read_failed(tmp_path, content):
    path = tmp_path / 'items.json'
    path.write_text(content, encoding='utf-8')
    persistence = FilePersistence(JsonFilePersister(str(path)))

    with pytest.raises(FileException) as raised:
        persistence.open(None)

    assert raised.value.code == 'READ_FAILED'
    assert not persistence.is_open()


WRITES = {
    'create': lambda persistence: persistence.create(None, {'key': 'new'}),
    'delete_by_filter': lambda persistence: persistence.delete_by_filter(None, None),
    'clear': lambda persistence: persistence.clear(None),
    'save': lambda persistence: persistence.save(None),
}


@pytest.mark.parametrize('write', list(WRITES.values()), ids=list(WRITES))
def test_after_a_failed_load_writes_are_refused_and_the_file_is_left_alone(tmp_path, write):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'key': 'a'})
    path.write_text('[{"key": "a"}, {"key": "b"', encoding='utf-8')  # damaged by someone else
    file_before = file_state(path)
    with pytest.raises(FileException):
        persistence.load(None)

    with pytest.raises(InvalidStateException) as raised:
        write(persistence)

    assert raised.value.code == 'LOAD_FAILED'
    assert keys_of(all_items(persistence)) == ['a']
    assert file_state(path) == file_before


def test_close_after_a_failed_load_warns_and_does_not_touch_the_file(tmp_path, logger_references, recording_logger):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.set_references(logger_references)
    persistence.create(None, {'key': 'a'})
    path.write_text('not json', encoding='utf-8')  # damaged by someone else
    file_before = file_state(path)
    with pytest.raises(FileException):
        persistence.load(None)

    persistence.close('cid-close')

    assert not persistence.is_open()
    assert file_state(path) == file_before
    assert (LogLevel.Warn, 'cid-close') in [(level, cid) for level, cid, _, _ in recording_logger.messages]


def test_a_load_that_succeeds_ends_the_failed_load_state(tmp_path):
    path = tmp_path / 'items.json'
    path.write_text('[{"key": "a"}', encoding='utf-8')
    persistence = FilePersistence(JsonFilePersister(str(path)))
    with pytest.raises(FileException):
        persistence.open(None)

    path.write_text('[{"key": "a"}]', encoding='utf-8')
    persistence.open(None)
    persistence.create(None, {'key': 'b'})

    assert keys_of(all_items(persistence)) == ['a', 'b']
    assert keys_of(json.loads(path.read_text(encoding='utf-8'))) == ['a', 'b']


def test_an_empty_or_blank_file_is_an_empty_store_that_can_be_written(tmp_path):
    path = tmp_path / 'items.json'
    path.write_text(' \n ', encoding='utf-8')

    persistence = open_file_persistence(path)
    persistence.create(None, {'key': 'a'})

    assert keys_of(json.loads(path.read_text(encoding='utf-8'))) == ['a']
