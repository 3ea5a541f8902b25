"""MemoryPersistence: the generic operations, proven on the memory and the file backend."""

import json
import random
import threading

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import PagingParams, SortField, SortParams
from pip_services3_commons.errors import ConfigException
from pip_services3_components.log import CompositeLogger

from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, IdentifiableMemoryPersistence, MemoryPersistence,
)
from support import CountingMemoryStorage, Dummy, all_items, fields_of, keys_of


def add_items(persistence, *rows, make_item=dict):
    """Creates one item per ``(key, content)`` row, in order: plain dicts unless told otherwise."""
    for key, content in rows:
        persistence.create(None, make_item(key=key, content=content))


# ---------------------------------------------------------------------------------------------
# Construction and protected members


def test_a_new_persistence_is_empty_closed_and_has_the_documented_members():
    persistence = MemoryPersistence()

    assert persistence._items == [] and isinstance(persistence._items, list)
    assert persistence._loader is None and persistence._saver is None
    assert persistence._opened is False and persistence.is_open() is False
    assert persistence._max_page_size == 100
    assert isinstance(persistence._logger, CompositeLogger)


def test_the_loader_and_saver_given_to_the_constructor_are_used():
    storage = CountingMemoryStorage([{'key': 'a'}])
    persistence = MemoryPersistence(storage, storage)

    persistence.open(None)
    persistence.create(None, {'key': 'b'})

    assert persistence._loader is storage and persistence._saver is storage
    assert keys_of(storage.stored()) == ['a', 'b']


def test_a_subclass_may_hold_the_lock_and_save_or_call_public_methods(backend):
    class ArchivePersistence(MemoryPersistence):
        def archive(self, correlation_id, item):
            with self._lock:
                assert self._lock.acquire(blocking=False), 'the lock is not re-entrant'
                self._lock.release()
                self._items.append(item)
                self.save(correlation_id)
                self.create(correlation_id, {'key': 'marker'})
                return self.get_count_by_filter(correlation_id, None)

    persistence = backend.open(ArchivePersistence)

    assert persistence.archive(None, {'key': 'archived'}) == 2
    assert keys_of(all_items(backend.open(ArchivePersistence))) == ['archived', 'marker']


def test_a_subclass_may_assign_its_loader_and_saver_after_the_constructor():
    storage = CountingMemoryStorage([{'key': 'loaded'}])

    class LateWiredPersistence(MemoryPersistence):
        def __init__(self):
            super().__init__()
            self._loader = storage
            self._saver = storage

    persistence = LateWiredPersistence()
    persistence.open(None)
    persistence.create(None, {'key': 'created'})

    assert keys_of(all_items(persistence)) == ['loaded', 'created']
    assert keys_of(storage.stored()) == ['loaded', 'created']


def test_a_subclass_may_reassign_its_items(backend):
    class ReversingPersistence(MemoryPersistence):
        def reverse_all(self, correlation_id):
            with self._lock:
                self._items = list(reversed(self._items))
                self.save(correlation_id)

    persistence = backend.open(ReversingPersistence)
    for key in 'abc':
        persistence.create(None, {'key': key})

    persistence.reverse_all(None)
    persistence.create(None, {'key': 'd'})

    assert keys_of(all_items(persistence)) == ['c', 'b', 'a', 'd']
    assert keys_of(all_items(backend.open(ReversingPersistence))) == ['c', 'b', 'a', 'd']


# ---------------------------------------------------------------------------------------------
# create and copies


def test_create_stores_and_returns_a_copy(plain_persistence):
    item = Dummy(key='a', content='x')

    created = plain_persistence.create(None, item)

    assert created is not item
    assert fields_of(created) == fields_of(item)
    assert [fields_of(stored) for stored in all_items(plain_persistence)] == [fields_of(item)]


def test_changing_the_callers_item_after_create_does_not_change_the_store(plain_persistence):
    item = {'key': 'a', 'tags': ['red']}
    plain_persistence.create(None, item)

    item['key'] = 'changed'
    item['tags'].append('blue')

    assert all_items(plain_persistence) == [{'key': 'a', 'tags': ['red']}]


def test_changing_a_returned_item_does_not_change_the_store(plain_persistence):
    created = plain_persistence.create(None, Dummy(key='a', content='x'))
    created.content = 'changed by create caller'
    plain_persistence.get_page_by_filter(None, None, None).data[0].content = 'changed by page caller'
    plain_persistence.get_list_by_filter(None, None)[0].content = 'changed by list caller'
    plain_persistence.get_one_random(None).content = 'changed by random caller'

    assert all_items(plain_persistence)[0].content == 'x'


def test_a_plain_dict_is_stored_as_a_dict_that_also_allows_attribute_access(plain_persistence, reopen_plain):
    plain_persistence.create(None, {'key': 'a', 'content': {'nested': True}})

    for stored in (all_items(plain_persistence)[0], all_items(reopen_plain())[0]):
        assert isinstance(stored, dict)
        assert stored.key == 'a' and stored['key'] == 'a'
        assert json.loads(json.dumps(stored)) == {'key': 'a', 'content': {'nested': True}}


def test_items_of_any_type_can_be_stored(plain_persistence):
    for name in ['Alice', 'Bob', 'Alfred']:
        plain_persistence.create(None, name)

    names = plain_persistence.get_list_by_filter(None, lambda name: name.startswith('Al'))

    assert names == ['Alice', 'Alfred']


# ---------------------------------------------------------------------------------------------
# get_page_by_filter


def test_a_page_holds_the_matching_items_and_their_count(plain_persistence):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3))

    page = plain_persistence.get_page_by_filter(None, lambda item: item.key == 'a', PagingParams())

    assert isinstance(page.data, list)
    assert [item.content for item in page.data] == [1, 3]
    assert page.total == 2 and type(page.total) is int


def test_a_page_is_sorted_by_a_key_function_ascending_and_stable(plain_persistence):
    add_items(plain_persistence, ('b', 1), ('a', 2), ('b', 3), ('a', 4))

    page = plain_persistence.get_page_by_filter(None, None, None, lambda item: item.key)

    assert [(item.key, item.content) for item in page.data] == [('a', 2), ('a', 4), ('b', 1), ('b', 3)]
    assert page.total == 4


def test_a_page_is_sorted_by_sort_params_over_several_fields(plain_persistence, make_item):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3), ('b', 1), ('c', 2), make_item=make_item)
    sort = SortParams(SortField('content', False), SortField('key', True))

    page = plain_persistence.get_page_by_filter(None, None, None, sort)

    assert [(item.key, item.content) for item in page.data] == [('a', 3), ('b', 2), ('c', 2), ('a', 1), ('b', 1)]


def test_sort_params_keep_the_stored_order_of_equal_items(plain_persistence):
    add_items(plain_persistence, ('b', 1), ('a', 2), ('b', 3), ('a', 4))

    ascending = plain_persistence.get_list_by_filter(None, None, SortParams(SortField('key', True)))
    descending = plain_persistence.get_list_by_filter(None, None, SortParams(SortField('key', False)))

    assert [item.content for item in ascending] == [2, 4, 1, 3]
    assert [item.content for item in descending] == [1, 3, 2, 4]


def test_sorting_never_reorders_the_stored_items(plain_persistence):
    add_items(plain_persistence, ('c', 1), ('a', 2), ('b', 3))

    plain_persistence.get_page_by_filter(None, None, None, lambda item: item.key)
    plain_persistence.get_list_by_filter(None, None, SortParams(SortField('key', False)))

    assert keys_of(plain_persistence._items) == ['c', 'a', 'b']
    assert keys_of(all_items(plain_persistence)) == ['c', 'a', 'b']


@pytest.mark.parametrize('skip, take, expected', [
    (None, None, [0, 1, 2, 3, 4]),
    (1, 2, [1, 2]),
    (-3, 2, [0, 1]),
    (4, 10, [4]),
    (0, -1, []),
], ids=['none', 'skip-take', 'negative-skip', 'past-the-end', 'negative-take'])
def test_paging_skips_and_takes(plain_persistence, skip, take, expected):
    for number in range(5):
        plain_persistence.create(None, {'number': number})

    page = plain_persistence.get_page_by_filter(None, None, PagingParams(skip, take))

    assert [item.number for item in page.data] == expected
    assert page.total == 5


def test_a_page_never_holds_more_than_the_max_page_size(plain_persistence):
    plain_persistence.configure(ConfigParams.from_tuples('options.max_page_size', 3))
    for number in range(5):
        plain_persistence.create(None, {'number': number})

    unpaged = plain_persistence.get_page_by_filter(None, None, None)
    asked_for_more = plain_persistence.get_page_by_filter(None, None, PagingParams(1, 10))

    assert [item.number for item in unpaged.data] == [0, 1, 2] and unpaged.total == 5
    assert [item.number for item in asked_for_more.data] == [1, 2, 3] and asked_for_more.total == 5


def test_select_is_applied_to_each_item_of_a_page(plain_persistence):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('c', 3))

    page = plain_persistence.get_page_by_filter(None, lambda item: item.key != 'b', PagingParams(),
                                                None, lambda item: item.key.upper())

    assert page.data == ['A', 'C']
    assert page.total == 2


# ---------------------------------------------------------------------------------------------
# get_list_by_filter, get_count_by_filter


def test_a_list_is_filtered_sorted_and_projected(plain_persistence):
    add_items(plain_persistence, ('c', 1), ('a', 2), ('b', 3), ('d', 4))

    keys = plain_persistence.get_list_by_filter(None, lambda item: item.content < 4,
                                                lambda item: item.key, lambda item: item.key)

    assert keys == ['a', 'b', 'c']
    assert keys_of(plain_persistence.get_list_by_filter(None, None)) == ['c', 'a', 'b', 'd']


def test_the_count_is_the_number_of_matching_items(plain_persistence):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3))

    assert plain_persistence.get_count_by_filter(None, lambda item: item.key == 'a') == 2
    assert plain_persistence.get_count_by_filter(None, None) == 3
    assert plain_persistence.get_count_by_filter(None, lambda item: False) == 0


# ---------------------------------------------------------------------------------------------
# get_one_random


def test_a_random_item_is_drawn_among_all_matches(plain_persistence):
    random.seed(20240601)
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3), ('a', 4), ('b', 5))

    draws = [plain_persistence.get_one_random(None, lambda item: item.key == 'a').content for _ in range(300)]

    assert set(draws) == {1, 3, 4}
    assert min(draws.count(content) for content in (1, 3, 4)) > 50


def test_a_random_item_needs_no_filter(plain_persistence):
    random.seed(20240602)
    add_items(plain_persistence, ('a', 1), ('b', 2))

    drawn = {plain_persistence.get_one_random(None).content for _ in range(100)}

    assert drawn == {1, 2}


def test_no_random_item_when_nothing_matches(plain_persistence):
    assert plain_persistence.get_one_random(None) is None
    assert plain_persistence.get_one_random(None, None) is None

    add_items(plain_persistence, ('a', 1))

    assert plain_persistence.get_one_random(None, lambda item: item.key == 'z') is None


# ---------------------------------------------------------------------------------------------
# delete_by_filter and clear


def test_delete_by_filter_removes_the_matching_items(plain_persistence, reopen_plain):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3))

    result = plain_persistence.delete_by_filter(None, lambda item: item.key == 'a')

    assert result is None
    assert keys_of(all_items(plain_persistence)) == ['b']
    assert keys_of(all_items(reopen_plain())) == ['b']

    plain_persistence.delete_by_filter(None, None)  # no filter: every item

    assert all_items(plain_persistence) == []
    assert all_items(reopen_plain()) == []


def test_clear_removes_every_item(plain_persistence, reopen_plain):
    add_items(plain_persistence, ('a', 1), ('b', 2))

    plain_persistence.clear(None)

    assert all_items(plain_persistence) == []
    assert all_items(reopen_plain()) == []


# ---------------------------------------------------------------------------------------------
# Saving: once per write, never for reads or writes that change nothing


def test_each_write_saves_once_and_reads_never_save(plain_counted, storage):
    plain_counted.create(None, {'key': 'a'})
    plain_counted.create(None, {'key': 'b'})
    plain_counted.get_page_by_filter(None, None, None)
    plain_counted.get_list_by_filter(None, None)
    plain_counted.get_count_by_filter(None, None)
    plain_counted.get_one_random(None)
    plain_counted.delete_by_filter(None, lambda item: item.key == 'a')

    assert storage.saves == 3
    assert keys_of(storage.stored()) == ['b']


def test_delete_by_filter_matching_nothing_does_not_save(plain_counted, storage):
    plain_counted.create(None, {'key': 'a'})

    plain_counted.delete_by_filter(None, lambda item: item.key == 'z')

    assert storage.saves == 1


def test_clear_always_saves_and_close_saves_nothing_unchanged(plain_counted, storage):
    plain_counted.clear(None)
    plain_counted.close(None)

    assert storage.saves == 1


def test_close_saves_what_a_subclass_changed_in_items_without_saving(plain_counted, storage):
    with plain_counted._lock:
        plain_counted._items.append({'key': 'unsaved'})
    plain_counted.close(None)

    assert storage.saves == 1 and keys_of(storage.stored()) == ['unsaved']


@pytest.mark.parametrize('write', [
    lambda persistence: persistence.create(None, {'key': 'c'}),
    lambda persistence: persistence.delete_by_filter(None, lambda item: item.key == 'a'),
    lambda persistence: persistence.clear(None),
], ids=['create', 'delete_by_filter', 'clear'])
def test_a_write_whose_save_fails_raises_and_leaves_memory_unchanged(plain_counted, storage, write):
    plain_counted.create(None, {'key': 'a'})
    plain_counted.create(None, {'key': 'b'})
    storage.failure = OSError('disk full')

    with pytest.raises(OSError, match='disk full'):
        write(plain_counted)

    assert keys_of(all_items(plain_counted)) == ['a', 'b']
    storage.failure = None
    assert keys_of(storage.stored()) == ['a', 'b']


# ---------------------------------------------------------------------------------------------
# Component life cycle


def test_open_and_close_change_is_open(plain_persistence):
    assert plain_persistence.is_open()

    plain_persistence.close(None)

    assert not plain_persistence.is_open()


def test_opening_twice_loads_once(plain_counted, storage):
    plain_counted.create(None, {'key': 'a'})

    plain_counted.open(None)

    assert storage.loads == 1
    assert keys_of(all_items(plain_counted)) == ['a']


def test_a_reopened_persistence_loads_what_was_saved_and_close_writes_nothing_more(backend):
    persistence = backend.open('plain_counted')
    persistence.create(None, {'key': 'a'})
    saves_before_close = backend.storage.saves

    persistence.close(None)
    persistence.open(None)

    assert backend.storage.saves == saves_before_close
    assert keys_of(all_items(persistence)) == ['a']


# ---------------------------------------------------------------------------------------------
# configure


@pytest.mark.parametrize('persistence_class', [MemoryPersistence, IdentifiableMemoryPersistence,
                                               FilePersistence, IdentifiableFilePersistence])
def test_every_persistence_reads_the_max_page_size(persistence_class):
    persistence = persistence_class()

    persistence.configure(ConfigParams.from_tuples('options.max_page_size', 7))
    with pytest.raises(ConfigException):
        persistence.configure(ConfigParams.from_tuples('options.max_page_size', 0))

    assert persistence._max_page_size == 7


def test_configure_without_a_max_page_size_keeps_it():
    persistence = MemoryPersistence()
    persistence.configure(ConfigParams.from_tuples('options.max_page_size', 7))

    persistence.configure(ConfigParams.from_tuples('other', 'value'))

    assert persistence._max_page_size == 7


@pytest.mark.parametrize('value', [0, -5, 'many'])
def test_a_max_page_size_below_one_or_not_a_number_is_a_config_error(value):
    persistence = MemoryPersistence()

    with pytest.raises(ConfigException):
        persistence.configure(ConfigParams.from_tuples('options.max_page_size', value))

    assert persistence._max_page_size == 100


# ---------------------------------------------------------------------------------------------
# Logging


def test_operations_trace_with_the_correlation_id_and_never_the_item_content(
        plain_persistence, logger_references, recording_logger):
    plain_persistence.set_references(logger_references)

    plain_persistence.create('cid-create', Dummy('1', 'a', 'secret-4711'))
    plain_persistence.get_page_by_filter('cid-page', None, None)
    plain_persistence.get_list_by_filter('cid-list', None)
    plain_persistence.get_one_random('cid-random')
    plain_persistence.delete_by_filter('cid-delete', None)

    traced_ids = {correlation_id for _, correlation_id, _, _ in recording_logger.messages}
    assert {'cid-create', 'cid-page', 'cid-list', 'cid-random', 'cid-delete'} <= traced_ids
    assert not [line for line in recording_logger.lines() if 'secret-4711' in line]


# ---------------------------------------------------------------------------------------------
# Threads


def test_creates_and_deletes_from_many_threads_lose_nothing(plain_counted, storage):
    def create_and_delete(thread_number):
        for number in range(20):
            plain_counted.create(None, {'thread': thread_number, 'number': number})
        plain_counted.delete_by_filter(None, lambda item: item.thread == thread_number and item.number % 2 == 0)

    threads = [threading.Thread(target=create_and_delete, args=(thread_number,)) for thread_number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert plain_counted.get_count_by_filter(None, None) == 40
    assert storage.saves == 4 * 21
    assert sorted((item['thread'], item['number']) for item in storage.stored()) == sorted(
        (item.thread, item.number) for item in all_items(plain_counted))
