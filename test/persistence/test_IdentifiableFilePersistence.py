"""IdentifiableFilePersistence: construction, configuration, reloads and the failed-load state by id."""

import json

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import AnyValueMap, FilterParams, PagingParams
from pip_services3_commons.errors import FileException, InvalidStateException
from pip_services3_commons.refer import Descriptor
from pip_services3_components.build import Factory

from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister
from support import (Dummy, DummyFilePersistence, all_items, fields_of, file_state, ids_of, keys_of,
                     open_file_persistence)


# ---------------------------------------------------------------------------------------------
# Construction and configuration


def test_without_arguments_it_makes_its_own_persister_as_loader_and_saver():
    persistence = IdentifiableFilePersistence()

    assert isinstance(persistence._persister, JsonFilePersister)
    assert persistence._loader is persistence._persister
    assert persistence._saver is persistence._persister


def test_built_without_arguments_and_configured_with_a_path_it_works(tmp_path):
    path = tmp_path / 'items.json'
    persistence = IdentifiableFilePersistence()

    persistence.configure(ConfigParams.from_tuples('path', str(path), 'options.max_page_size', 1))
    persistence.configure(ConfigParams.from_tuples('options.unique_ids', False))  # no path: keeps it
    persistence.open(None)
    persistence.create(None, {'id': '1', 'key': 'a'})
    persistence.create(None, {'id': '2', 'key': 'b'})

    assert len(persistence.get_page_by_filter(None, None, None).data) == 1
    assert ids_of(json.loads(path.read_text(encoding='utf-8'))) == ['1', '2']


def test_a_subclass_built_by_a_factory_and_configured_like_a_container_does_works(tmp_path):
    class DummiesFilePersistence(IdentifiableFilePersistence):
        pass

    descriptor = Descriptor('test', 'persistence', 'file', 'default', '1.0')
    factory = Factory()
    factory.register_as_type(descriptor, DummiesFilePersistence)
    path = tmp_path / 'dummies.json'

    persistence = factory.create(descriptor)
    persistence.configure(ConfigParams.from_tuples(
        'descriptor', str(descriptor), 'path', str(path), 'options.max_page_size', 10))
    persistence.open(None)
    persistence.create(None, {'id': '1', 'key': 'a'})
    persistence.close(None)

    assert open_file_persistence(path).get_one_by_id(None, '1').key == 'a'


def test_the_beacons_style_file_persistence_is_configured_after_construction(tmp_path):
    path = tmp_path / 'dummies.json'
    persistence = DummyFilePersistence()

    persistence.configure(ConfigParams.from_tuples('path', str(path)))
    persistence.open(None)
    persistence.create(None, Dummy('1', 'a', 'x'))
    persistence.close(None)

    reopened = DummyFilePersistence(str(path))
    reopened.open(None)
    page = reopened.get_page_by_filter(None, FilterParams.from_tuples('key', 'a'), PagingParams())
    assert [item.content for item in page.data] == ['x']


# ---------------------------------------------------------------------------------------------
# After a reload


def test_operations_by_id_work_on_items_reloaded_from_the_file(tmp_path):
    path = tmp_path / 'items.json'
    first = open_file_persistence(path)
    first.create(None, Dummy('1', 'a', 'x'))
    first.create(None, {'id': '2', 'key': 'b', 'content': 'y'})
    first.close(None)

    reloaded = open_file_persistence(path)

    assert reloaded.get_one_by_id(None, '1').key == 'a'
    assert keys_of(reloaded.get_list_by_ids(None, ['1', '2'])) == ['a', 'b']
    assert reloaded.update(None, Dummy('1', 'a2', 'x2')).key == 'a2'
    assert reloaded.update_partially(None, '2', AnyValueMap({'content': 'y2'})).content == 'y2'
    assert reloaded.get_list_by_filter(None, lambda item: item.content == 'y2')[0].id == '2'
    assert reloaded.delete_by_id(None, '1').key == 'a2'
    assert ids_of(open_file_persistence(path).get_list_by_filter(None, None)) == ['2']


def test_reloaded_mappings_are_dicts_that_allow_attribute_access(tmp_path):
    path = tmp_path / 'items.json'
    open_file_persistence(path).create(None, Dummy('1', 'a', {'nested': 'value'}))

    reloaded = open_file_persistence(path).get_one_by_id(None, '1')

    assert isinstance(reloaded, dict)
    assert reloaded.key == 'a' and reloaded['key'] == 'a'
    assert json.loads(json.dumps(reloaded)) == {'id': '1', 'key': 'a', 'content': {'nested': 'value'}}


def test_with_an_item_type_reloaded_items_are_instances_of_it(tmp_path):
    path = tmp_path / 'items.json'
    open_file_persistence(path, Dummy).create(None, Dummy('1', 'a', 'x'))

    reloaded = open_file_persistence(path, Dummy)

    found = reloaded.get_one_by_id(None, '1')
    assert isinstance(found, Dummy) and fields_of(found) == {'id': '1', 'key': 'a', 'content': 'x'}
    assert reloaded.update_partially(None, '1', {'content': 'y'}).content == 'y'


# ---------------------------------------------------------------------------------------------
# The failed-load state


WRITES = {
    'create': lambda persistence: persistence.create(None, {'id': '9', 'key': 'new'}),
    'set': lambda persistence: persistence.set(None, {'id': '1', 'key': 'new'}),
    'update': lambda persistence: persistence.update(None, {'id': '1', 'key': 'new'}),
    'update_partially': lambda persistence: persistence.update_partially(None, '1', {'key': 'new'}),
    'delete_by_id': lambda persistence: persistence.delete_by_id(None, '1'),
    'delete_by_ids': lambda persistence: persistence.delete_by_ids(None, ['1']),
    'delete_by_filter': lambda persistence: persistence.delete_by_filter(None, None),
    'clear': lambda persistence: persistence.clear(None),
}


@pytest.mark.parametrize('write', list(WRITES.values()), ids=list(WRITES))
def test_after_a_failed_load_writes_by_id_are_refused_and_the_file_is_left_alone(tmp_path, write):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': '1', 'key': 'a'})
    path.write_text('{"id": "1", "key": "a"}', encoding='utf-8')  # damaged by someone else
    file_before = file_state(path)
    with pytest.raises(FileException):
        persistence.load(None)

    with pytest.raises(InvalidStateException) as raised:
        write(persistence)

    assert raised.value.code == 'LOAD_FAILED'
    assert persistence.get_one_by_id(None, '1').key == 'a'
    assert file_state(path) == file_before


def test_after_a_failed_open_every_write_is_refused_even_of_items_not_in_memory(tmp_path):
    path = tmp_path / 'items.json'
    path.write_text('[{"id": "1", "key": "a"},', encoding='utf-8')
    persistence = IdentifiableFilePersistence(JsonFilePersister(str(path)))
    with pytest.raises(FileException) as raised:
        persistence.open(None)

    not_refused = []
    for name, write in WRITES.items():
        try:
            write(persistence)  # item '1' is in the file, so "not found" would be a wrong answer
            not_refused.append(name)
        except InvalidStateException as error:
            assert error.code == 'LOAD_FAILED'
    persistence.close(None)

    assert raised.value.code == 'READ_FAILED'
    assert not_refused == []
    assert path.read_text(encoding='utf-8') == '[{"id": "1", "key": "a"},'


# ---------------------------------------------------------------------------------------------
# Failed saves


def test_a_write_by_id_whose_save_fails_leaves_memory_and_file_as_they_were(tmp_path):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': '1', 'key': 'a'})
    file_before = file_state(path)

    with pytest.raises(FileException) as raised:
        persistence.update(None, {'id': '1', 'key': 'b', 'content': b'bytes are not JSON'})
    with pytest.raises(FileException):
        persistence.set(None, {'id': '2', 'key': 'c', 'content': {1, 2}})

    assert raised.value.code == 'WRITE_FAILED'
    assert [fields_of(item) for item in all_items(persistence)] == [{'id': '1', 'key': 'a'}]
    assert persistence.get_one_by_id(None, '2') is None
    assert file_state(path) == file_before
