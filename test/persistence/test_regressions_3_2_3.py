"""One regression test per defect of 3.2.3 listed in SPEC section 7.

Each test names the defect it pins, and fails against the 3.2.3 release.
"""

import json
import random
import threading

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import PagingParams
from pip_services3_commons.errors import ConfigException, ConflictException, FileException, InvalidStateException

from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister,
)
from support import Dummy, file_state, keys_of


def test_sort_is_applied_as_a_sort_not_as_a_filter(plain_persistence):
    """3.2.3 passed ``sort`` to ``filter()`` in get_page_by_filter: pages came back unsorted and
    without the items whose sort key was falsy."""
    for key in ['b', '', 'c', 'a']:
        plain_persistence.create(None, Dummy(key=key))

    page = plain_persistence.get_page_by_filter(None, None, None, lambda item: item.key)

    assert keys_of(page.data) == ['', 'a', 'b', 'c']
    assert page.total == 4


def test_get_one_random_needs_no_filter_and_never_raises_index_error(plain_persistence):
    """3.2.3 required a filter argument, and drew the index among all items rather than among
    the matching ones, raising IndexError."""
    random.seed(323)
    for key in ['a', 'b', 'c']:
        plain_persistence.create(None, Dummy(key=key))

    assert plain_persistence.get_one_random(None).key in {'a', 'b', 'c'}
    assert {plain_persistence.get_one_random(None, lambda item: item.key == 'b').key for _ in range(30)} == {'b'}


def test_select_projects_page_items_instead_of_crashing(plain_persistence):
    """3.2.3 turned the page data into a ``map`` object and then took its ``len()``: any
    ``select`` made get_page_by_filter raise TypeError."""
    for key in ['a', 'b']:
        plain_persistence.create(None, Dummy(key=key))

    page = plain_persistence.get_page_by_filter(None, None, PagingParams(), None, lambda item: item.key)

    assert page.data == ['a', 'b']


def test_dicts_stay_dicts(persistence):
    """3.2.3 turned every dict handed to create or set into a new class, so the results could not
    be indexed, compared to dicts or serialised."""
    created = persistence.create(None, {'id': '1', 'key': 'a'})
    stored = persistence.get_one_by_id(None, '1')

    for item in (created, stored):
        assert isinstance(item, dict)
        assert item['key'] == 'a' and item.key == 'a'
        assert json.loads(json.dumps(item)) == {'id': '1', 'key': 'a'}


def test_an_identifiable_file_persistence_built_without_arguments_can_be_configured(tmp_path):
    """3.2.3 kept ``_persister`` as None when none was given, so configure() raised
    AttributeError and a container could never give the persistence a path."""
    path = tmp_path / 'items.json'
    persistence = IdentifiableFilePersistence()

    persistence.configure(ConfigParams.from_tuples('path', str(path)))
    persistence.open(None)
    persistence.create(None, Dummy('1', 'a'))

    assert json.loads(path.read_text(encoding='utf-8')) == [{'id': '1', 'key': 'a', 'content': None}]


def test_a_file_persistence_works_on_the_items_it_reloads(tmp_path):
    """3.2.3 reloaded items as something its own code and attribute-based service filters could
    not read (``item.id`` on a dict), so a file persistence broke after its first restart."""
    path = tmp_path / 'items.json'
    first = IdentifiableFilePersistence(JsonFilePersister(str(path)))
    first.open(None)
    first.create(None, Dummy('1', 'a', 'x'))
    first.create(None, Dummy('2', 'b', 'y'))
    first.close(None)

    restarted = IdentifiableFilePersistence(JsonFilePersister(str(path)))
    restarted.open(None)

    assert restarted.get_one_by_id(None, '2').content == 'y'
    assert keys_of(restarted.get_list_by_filter(None, lambda item: item.key == 'a')) == ['a']
    assert restarted.update(None, Dummy('1', 'a', 'x2')).content == 'x2'


@pytest.mark.parametrize('content', ['[{"id": "1", "key": "a"', '{"id": "1", "key": "a"}'],
                         ids=['invalid-json', 'object-at-top-level'])
def test_a_corrupt_or_non_array_file_is_not_loaded_as_empty_and_overwritten(tmp_path, content):
    """3.2.3 loaded a file it could not parse, or whose top level was not an array, as an empty
    list, and the next write replaced the user's data with that."""
    path = tmp_path / 'items.json'
    path.write_text(content, encoding='utf-8')
    persistence = IdentifiableFilePersistence(JsonFilePersister(str(path)))

    with pytest.raises(FileException) as raised:
        persistence.open(None)
    with pytest.raises(InvalidStateException):
        persistence.create(None, Dummy('2', 'b'))
    persistence.close(None)

    assert raised.value.code == 'READ_FAILED'
    assert path.read_text(encoding='utf-8') == content


def test_a_save_that_fails_while_serialising_leaves_the_file_as_it_was(tmp_path):
    """3.2.3 opened the file for writing (truncating it) before serialising the items, so a value
    JSON cannot represent, or a crash mid-save, left an empty or partial file."""
    path = tmp_path / 'items.json'
    persistence = IdentifiableFilePersistence(JsonFilePersister(str(path)))
    persistence.open(None)
    persistence.create(None, Dummy('1', 'a'))
    file_before = file_state(path)

    with pytest.raises(FileException) as raised:
        persistence.create(None, Dummy('2', 'b', complex(1, 2)))

    assert raised.value.code == 'WRITE_FAILED'
    assert file_state(path) == file_before
    assert [item.id for item in persistence.get_list_by_filter(None, None)] == ['1']


def test_reads_do_not_copy_the_whole_store(persistence):
    """3.2.3 deep-copied every stored item on every page, list and count read."""
    copies = []

    class Watched:
        def __init__(self, id):
            self.id = id

        def __deepcopy__(self, memo):
            copies.append(self.id)
            return Watched(self.id)

    for number in range(20):
        persistence.create(None, Watched(str(number)))
    copies.clear()

    persistence.get_count_by_filter(None, None)
    persistence.get_page_by_filter(None, None, PagingParams(0, 2))
    persistence.get_list_by_filter(None, lambda item: item.id == '7')

    assert len(copies) <= 3


class ArchivingPersistence(IdentifiableMemoryPersistence):
    """Changes its items under the lock and saves, as subclasses are told to."""

    def archive(self, correlation_id, item):
        with self._lock:
            # Checked first so that a non-re-entrant lock fails this test instead of hanging it.
            if not self._lock.acquire(blocking=False):
                raise AssertionError('the lock is not re-entrant: save() under it would deadlock')
            self._lock.release()
            self._items.append(item)
            self.save(correlation_id)
            return self.get_one_by_id(correlation_id, item.id)


def test_a_subclass_can_save_while_holding_the_lock(backend):
    """3.2.3's lock was a plain Lock: a subclass that held it and called save() deadlocked."""
    persistence = backend.open(ArchivingPersistence)

    archived = persistence.archive(None, Dummy('1', 'archived'))

    assert archived.key == 'archived'
    assert backend.open(ArchivingPersistence).get_one_by_id(None, '1').key == 'archived'


def test_delete_by_filter_reads_the_store_only_under_its_lock(plain_persistence):
    """3.2.3 counted the items before and after delete_by_filter outside the lock (each count a
    deepcopy of the whole store), so a concurrent write made the count wrong and could skip the
    save. Every copy made while deleting must be made holding the lock."""
    persistence = plain_persistence
    copies_made_while_unlocked = []
    deleting = []

    def lock_is_free():
        acquired = []

        def try_lock():
            if persistence._lock.acquire(blocking=False):
                acquired.append(True)
                persistence._lock.release()

        other_thread = threading.Thread(target=try_lock)
        other_thread.start()
        other_thread.join()
        return bool(acquired)

    class Watched:
        def __init__(self, key):
            self.key = key

        def __deepcopy__(self, memo):
            if deleting:
                copies_made_while_unlocked.append(lock_is_free())
            return Watched(self.key)

    for key in ['a', 'b', 'a']:
        persistence.create(None, Watched(key))

    deleting.append(True)
    persistence.delete_by_filter(None, lambda item: item.key == 'a')
    deleting.clear()

    assert not any(copies_made_while_unlocked)
    assert keys_of(persistence.get_list_by_filter(None, None)) == ['b']


def test_a_negative_take_gives_an_empty_page(plain_persistence):
    """3.2.3 read a negative take as 0 and then skipped paging altogether, returning every item."""
    for key in ['a', 'b', 'c']:
        plain_persistence.create(None, Dummy(key=key))

    page = plain_persistence.get_page_by_filter(None, None, PagingParams(0, -1))

    assert page.data == []
    assert page.total == 3


def test_file_persistence_configure_reads_the_max_page_size(tmp_path):
    """3.2.3's FilePersistence.configure only configured the persister and never called the base
    configure, so options.max_page_size was ignored."""
    persistence = FilePersistence()
    persistence.configure(ConfigParams.from_tuples('path', str(tmp_path / 'items.json'), 'options.max_page_size', 2))
    persistence.open(None)
    for key in ['a', 'b', 'c']:
        persistence.create(None, Dummy(key=key))

    page = persistence.get_page_by_filter(None, None, None)

    assert keys_of(page.data) == ['a', 'b']
    assert page.total == 3


def test_saving_without_a_path_is_a_config_error():
    """3.2.3 tried to open a file named None and reported a FileException WRITE_FAILED, hiding
    that the path was never configured."""
    persistence = FilePersistence()

    with pytest.raises(ConfigException) as raised:
        persistence.create(None, Dummy(key='a'))

    assert raised.value.code == 'NO_PATH'


def test_create_neither_mutates_nor_aliases_the_callers_object(persistence):
    """3.2.3 set the generated id on the caller's own object and stored that very object, so later
    changes by the caller silently changed the store."""
    item = Dummy(None, 'a', 'x')

    created = persistence.create(None, item)
    item.content = 'changed by the caller'

    assert item.id is None
    assert created is not item
    assert persistence.get_one_by_id(None, created.id).content == 'x'


def test_duplicate_ids_can_be_rejected(persistence):
    """3.2.3 always appended an item whose id was already stored and had no option to refuse it."""
    persistence.configure(ConfigParams.from_tuples('options.unique_ids', True))
    persistence.create(None, Dummy('1', 'first'))

    with pytest.raises(ConflictException):
        persistence.create(None, Dummy('1', 'second'))

    assert keys_of(persistence.get_list_by_filter(None, None)) == ['first']
