"""When a persistence loads and saves, and what a failed save leaves behind.

Each write saves once before it returns, writes that change nothing and reads never save, and
``open`` loads once. A write whose save fails raises and is undone in memory, so memory
matches what the saver holds. The ``counted`` persistences count loads and saves and can be
told to fail (memory: an in-memory store; file: a ``JsonFilePersister``).
"""

import pytest

from support import all_items, fields_of, file_state, ids_of, keys_of

WRITES = {
    'create': lambda persistence: persistence.create(None, {'id': '4', 'key': 'd'}),
    'set-new': lambda persistence: persistence.set(None, {'id': '4', 'key': 'd'}),
    'set-existing': lambda persistence: persistence.set(None, {'id': '2', 'key': 'changed'}),
    'update': lambda persistence: persistence.update(None, {'id': '2', 'key': 'changed'}),
    'update_partially': lambda persistence: persistence.update_partially(None, '2', {'key': 'changed'}),
    'delete_by_id': lambda persistence: persistence.delete_by_id(None, '2'),
    'delete_by_ids': lambda persistence: persistence.delete_by_ids(None, ['1', '3']),
    'delete_by_filter': lambda persistence: persistence.delete_by_filter(None, lambda item: item.key != 'z'),
    'clear': lambda persistence: persistence.clear(None),
}


def add_items(persistence, *rows):
    for item_id, key in rows:
        persistence.create(None, {'id': item_id, 'key': key})


def test_each_write_saves_once_and_reads_never_save(counted, storage):
    add_items(counted, ('1', 'a'), ('2', 'b'), ('3', 'c'))
    saves_before = storage.saves

    for write in WRITES.values():
        write(counted)
    counted.get_one_by_id(None, '1')
    counted.get_list_by_ids(None, ['1'])
    counted.get_page_by_filter(None, None, None)
    counted.get_list_by_filter(None, None)
    counted.get_count_by_filter(None, None)
    counted.get_one_random(None)

    assert storage.saves == saves_before + len(WRITES)
    assert storage.stored() == []


def test_a_write_that_changes_nothing_does_not_save(counted, storage, backend):
    add_items(counted, ('1', 'a'))
    saves_before, file_before = storage.saves, file_state(backend.path)

    counted.update(None, {'id': 'unknown', 'key': 'z'})
    counted.update_partially(None, 'unknown', {'key': 'z'})
    counted.delete_by_id(None, 'unknown')
    counted.delete_by_ids(None, ['unknown'])
    counted.delete_by_filter(None, lambda item: item.key == 'z')

    assert storage.saves == saves_before
    assert file_state(backend.path) == file_before


def test_every_write_whose_save_fails_raises_and_leaves_memory_as_the_saver_holds_it(counted, storage):
    """The rule is decided in one place, the path every write takes; each write is tried once
    to show that it takes that path."""
    add_items(counted, ('1', 'a'), ('2', 'b'), ('3', 'c'))
    stored_before = [fields_of(item) for item in all_items(counted)]
    storage.failure = OSError('disk full')

    for name, write in WRITES.items():
        with pytest.raises(OSError, match='disk full'):
            write(counted)

        assert [fields_of(item) for item in all_items(counted)] == stored_before, name
        assert [counted.get_one_by_id(None, item_id).key for item_id in '123'] == ['a', 'b', 'c'], name
        assert counted.get_one_by_id(None, '4') is None, name

    assert ids_of(storage.stored()) == ['1', '2', '3']

    storage.failure = None
    counted.delete_by_ids(None, ['1', '3'])
    assert ids_of(storage.stored()) == ['2']


# ---------------------------------------------------------------------------------------------
# open, close, clear


def test_open_loads_once_and_close_with_nothing_unsaved_writes_nothing(plain_counted, storage):
    plain_counted.create(None, {'key': 'a'})
    saves_before_close = storage.saves

    plain_counted.open(None)
    plain_counted.close(None)

    assert not plain_counted.is_open()
    assert storage.loads == 1
    assert storage.saves == saves_before_close

    plain_counted.close(None)
    plain_counted.open(None)

    assert plain_counted.is_open()
    assert storage.saves == saves_before_close
    assert keys_of(all_items(plain_counted)) == ['a']


def test_close_saves_what_a_subclass_changed_in_items_without_saving(plain_counted, storage):
    with plain_counted._lock:
        plain_counted._items.append({'key': 'unsaved'})
    plain_counted.close(None)

    assert keys_of(storage.stored()) == ['unsaved']


def test_clear_saves_even_when_there_is_nothing_to_remove(plain_counted, storage):
    plain_counted.clear(None)

    assert storage.saves == 1
    assert storage.stored() == []
