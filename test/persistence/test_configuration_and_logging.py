"""Configuration (``options.max_page_size``, ``options.unique_ids``, ``path``) and trace logging."""

import json

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.errors import ConfigException
from pip_services3_commons.refer import Descriptor
from pip_services3_components.build import Factory

from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister,
    MemoryPersistence,
)
from support import keys_of

PERSISTENCE_CLASSES = [MemoryPersistence, IdentifiableMemoryPersistence, FilePersistence, IdentifiableFilePersistence]


# ---------------------------------------------------------------------------------------------
# options.max_page_size


@pytest.mark.parametrize('persistence_class', PERSISTENCE_CLASSES)
def test_every_persistence_reads_the_max_page_size_and_keeps_it_when_the_key_is_absent(persistence_class):
    persistence = persistence_class()

    persistence.configure(ConfigParams.from_tuples('options.max_page_size', 7))
    persistence.configure(ConfigParams.from_tuples('other', 'value'))

    assert persistence._max_page_size == 7


@pytest.mark.parametrize('value', [0, '-5', 'many'])
def test_a_max_page_size_below_one_or_not_a_number_is_a_config_error(value):
    persistence = MemoryPersistence()

    with pytest.raises(ConfigException) as raised:
        persistence.configure(ConfigParams.from_tuples('options.max_page_size', value))

    assert raised.value.code == 'INVALID_MAX_PAGE_SIZE'
    assert repr(str(value)) in raised.value.message
    assert persistence._max_page_size == 100


# ---------------------------------------------------------------------------------------------
# path


def test_the_persister_takes_its_path_from_the_constructor_the_property_or_configuration(tmp_path):
    persister = JsonFilePersister(str(tmp_path / 'first.json'))
    assert persister.path == str(tmp_path / 'first.json')

    persister.path = str(tmp_path / 'second.json')
    assert persister.path == str(tmp_path / 'second.json')

    persister.configure(ConfigParams.from_tuples('path', str(tmp_path / 'third.json')))
    persister.configure(ConfigParams.from_tuples('options.max_page_size', 10))
    persister.save(None, [{'id': '1'}])

    assert persister.path == str(tmp_path / 'third.json')
    assert sorted(path.name for path in tmp_path.iterdir()) == ['.third.json.lock', 'third.json']


@pytest.mark.parametrize('persistence_class', [FilePersistence, IdentifiableFilePersistence])
def test_a_file_persistence_built_by_a_factory_without_arguments_is_configured_like_a_container_does(
        tmp_path, persistence_class):
    """3.2.3's ``IdentifiableFilePersistence()`` had no persister, so configure() raised
    AttributeError; 3.2.3's ``FilePersistence.configure`` never called the base configure, so
    ``options.max_page_size`` was ignored."""
    class NotesPersistence(persistence_class):
        pass

    descriptor = Descriptor('test', 'persistence', 'file', 'default', '1.0')
    factory = Factory()
    factory.register_as_type(descriptor, NotesPersistence)
    path = tmp_path / 'data' / 'notes.json'

    persistence = factory.create(descriptor)
    persistence.configure(ConfigParams.from_tuples(
        'descriptor', str(descriptor), 'path', str(path), 'options.max_page_size', 2))
    persistence.configure(ConfigParams.from_tuples('options.unique_ids', False))
    persistence.open(None)
    for key in 'abc':
        persistence.create(None, {'id': key, 'key': key})

    page = persistence.get_page_by_filter(None, None, None)
    assert keys_of(page.data) == ['a', 'b'] and page.total == 3
    assert keys_of(json.loads(path.read_bytes())) == ['a', 'b', 'c']


# ---------------------------------------------------------------------------------------------
# Logging


def test_operations_trace_with_the_correlation_id_but_never_the_item_content(
        persistence, logger_references, recording_logger):
    persistence.set_references(logger_references)
    operations = {
        'cid-create': lambda cid: persistence.create(cid, {'id': '1', 'key': 'a', 'content': 'secret-4711'}),
        'cid-set': lambda cid: persistence.set(cid, {'id': '2', 'key': 'b', 'content': 'secret-4711'}),
        'cid-get': lambda cid: persistence.get_one_by_id(cid, '1'),
        'cid-list-ids': lambda cid: persistence.get_list_by_ids(cid, ['1', '2']),
        'cid-page': lambda cid: persistence.get_page_by_filter(cid, None, None),
        'cid-list': lambda cid: persistence.get_list_by_filter(cid, None),
        'cid-count': lambda cid: persistence.get_count_by_filter(cid, None),
        'cid-random': lambda cid: persistence.get_one_random(cid),
        'cid-update': lambda cid: persistence.update(cid, {'id': '1', 'key': 'a', 'content': 'secret-4711 again'}),
        'cid-partial': lambda cid: persistence.update_partially(cid, '2', {'content': 'secret-4711 too'}),
        'cid-delete': lambda cid: persistence.delete_by_id(cid, '1'),
        'cid-delete-ids': lambda cid: persistence.delete_by_ids(cid, ['2']),
        'cid-delete-filter': lambda cid: persistence.delete_by_filter(cid, None),
        'cid-clear': lambda cid: persistence.clear(cid),
    }

    for correlation_id, operation in operations.items():
        operation(correlation_id)

    traced_ids = {correlation_id for _, correlation_id, _, _ in recording_logger.messages}
    assert set(operations) <= traced_ids
    assert not [line for line in recording_logger.lines() if 'secret-4711' in line]


def test_a_duplicate_id_is_traced(persistence, logger_references, recording_logger):
    persistence.set_references(logger_references)
    persistence.create('cid', {'id': '1', 'key': 'first'})
    lines_of_first_create = len(recording_logger.messages)

    persistence.create('cid', {'id': '1', 'key': 'second'})

    assert len(recording_logger.messages) - lines_of_first_create > lines_of_first_create
