"""The failed-load state: after a load that fails, nothing writes over the data source.

A load that fails for any reason but a missing path makes every later write and ``clear``
raise ``InvalidStateException`` ``LOAD_FAILED`` with memory left as it was; ``close`` warns
instead of saving; the next successful load ends the state. What makes a file fail to load
is in ``test_json_file_format.py``.
"""

import json
import os

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.errors import ConfigException, FileException, InvalidStateException
from pip_services3_components.log import LogLevel

from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister
from support import all_items, file_state, ids_of, open_file_persistence

WRITES = {
    'create': lambda persistence: persistence.create(None, {'id': '9', 'key': 'new'}),
    'set': lambda persistence: persistence.set(None, {'id': '1', 'key': 'new'}),
    'update': lambda persistence: persistence.update(None, {'id': '1', 'key': 'new'}),
    'update_partially': lambda persistence: persistence.update_partially(None, '1', {'key': 'new'}),
    'delete_by_id': lambda persistence: persistence.delete_by_id(None, '1'),
    'delete_by_ids': lambda persistence: persistence.delete_by_ids(None, ['1']),
    'delete_by_filter': lambda persistence: persistence.delete_by_filter(None, None),
    'clear': lambda persistence: persistence.clear(None),
    'save': lambda persistence: persistence.save(None),
}


def test_after_a_failed_open_every_write_is_refused_and_close_leaves_the_file_alone(
        tmp_path, logger_references, recording_logger):
    """3.2.3 loaded a file it could not parse, or whose top level was not an array, as an
    empty list, and the next write replaced the user's data with it. Item '1' is in the file
    but not in memory: answering "not found" to a write of it would be wrong, so the state is
    checked before anything is looked up."""
    path = tmp_path / 'items.json'
    path.write_text('[{"id": "1", "key": "a"},', encoding='utf-8')
    file_before = file_state(path)
    persistence = IdentifiableFilePersistence(JsonFilePersister(str(path)))
    persistence.set_references(logger_references)

    with pytest.raises(FileException) as failed_open:
        persistence.open(None)
    for name, write in WRITES.items():
        with pytest.raises(InvalidStateException) as refused:
            write(persistence)
        assert refused.value.code == 'LOAD_FAILED', name
    persistence.close('cid-close')

    assert failed_open.value.code == 'READ_FAILED'
    assert not persistence.is_open()
    assert all_items(persistence) == []
    assert (LogLevel.Warn, 'cid-close') in [(level, cid) for level, cid, _, _ in recording_logger.messages]
    assert file_state(path) == file_before
    assert sorted(os.listdir(tmp_path)) == ['.items.json.lock', 'items.json']


def test_after_a_failed_reload_memory_stays_readable_until_a_load_succeeds(tmp_path):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': '1', 'key': 'a'})
    path.write_text('{"id": "1", "key": "a"}', encoding='utf-8')  # replaced by someone else
    with pytest.raises(FileException):
        persistence.load(None)

    with pytest.raises(InvalidStateException):
        persistence.update(None, {'id': '1', 'key': 'b'})
    assert persistence.get_one_by_id(None, '1') == {'id': '1', 'key': 'a'}
    assert path.read_text(encoding='utf-8') == '{"id": "1", "key": "a"}'

    path.write_text('[{"id": "1", "key": "a"}, {"id": "2", "key": "b"}]', encoding='utf-8')
    persistence.load(None)
    persistence.update(None, {'id': '1', 'key': 'changed'})

    assert json.loads(path.read_bytes()) == [{'id': '1', 'key': 'changed'}, {'id': '2', 'key': 'b'}]


def test_a_missing_path_is_a_config_error_but_not_a_failed_load(tmp_path):
    """3.2.3 reported a save without a path as a write failure, hiding that the path was never
    configured."""
    persistence = IdentifiableFilePersistence()

    with pytest.raises(ConfigException) as failed_open:
        persistence.open(None)
    with pytest.raises(ConfigException) as failed_write:
        persistence.create(None, {'id': '1', 'key': 'a'})
    assert (failed_open.value.code, failed_write.value.code) == ('NO_PATH', 'NO_PATH')

    persistence.configure(ConfigParams.from_tuples('path', str(tmp_path / 'items.json')))
    persistence.open(None)
    persistence.create(None, {'id': '1', 'key': 'a'})

    assert ids_of(json.loads((tmp_path / 'items.json').read_bytes())) == ['1']
