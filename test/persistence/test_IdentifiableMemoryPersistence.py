"""IdentifiableMemoryPersistence: ids, CRUD by id and copies, proven on the memory and the file backend."""

import re
import threading

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import AnyValueMap, FilterParams, PagingParams
from pip_services3_commons.errors import ConflictException

from pip_services3_data.persistence import IdentifiableMemoryPersistence
from support import Dummy, all_items, fields_of, file_state, ids_of, keys_of

GENERATED_ID = re.compile(r'^[0-9a-f]{32}$')


def add_items(persistence, *rows, make_item=dict):
    """Creates one item per ``(id, key)`` row, in order: plain dicts unless told otherwise."""
    for item_id, key in rows:
        persistence.create(None, make_item(id=item_id, key=key, content=f'content of {item_id}'))


# ---------------------------------------------------------------------------------------------
# Ids


@pytest.mark.parametrize('item', [
    {'key': 'a'},
    {'id': '', 'key': 'a'},
    Dummy(None, 'a'),
], ids=['dict-without-id', 'dict-empty-id', 'object-none-id'])
def test_create_gives_an_item_without_id_a_generated_one_and_leaves_the_callers_item_alone(persistence, item):
    fields_before = fields_of(item)

    created = persistence.create(None, item)

    assert GENERATED_ID.match(created.id)
    assert persistence.get_one_by_id(None, created.id).key == 'a'
    assert fields_of(item) == fields_before


def test_set_gives_an_item_without_id_a_generated_one(persistence):
    item = Dummy(key='a')

    stored = persistence.set(None, item)

    assert GENERATED_ID.match(stored.id)
    assert persistence.get_one_by_id(None, stored.id).key == 'a'
    assert item.id is None


def test_every_generated_id_is_new(persistence):
    ids = {persistence.create(None, {'key': 'a'}).id for _ in range(20)}

    assert len(ids) == 20


def test_create_keeps_a_given_id(persistence, reopen):
    created = persistence.create(None, {'id': '1', 'key': 'a'})

    assert created.id == '1'
    assert reopen().get_one_by_id(None, '1').key == 'a'


# ---------------------------------------------------------------------------------------------
# Reading by id


def test_get_one_by_id_returns_a_copy(persistence):
    add_items(persistence, ('1', 'a'), ('2', 'b'), make_item=Dummy)

    found = persistence.get_one_by_id(None, '2')
    found.key = 'changed'

    assert persistence.get_one_by_id(None, '2').key == 'b'
    assert persistence.get_one_by_id(None, 'unknown') is None


def test_get_list_by_ids_returns_only_the_items_found(persistence):
    add_items(persistence, ('1', 'a'), ('2', 'b'), ('3', 'c'))

    found = persistence.get_list_by_ids(None, ['3', 'unknown', '1'])

    assert sorted(ids_of(found)) == ['1', '3']
    assert persistence.get_list_by_ids(None, []) == []
    assert persistence.get_list_by_ids(None, ['unknown']) == []


def test_ids_need_not_be_strings(persistence):
    persistence.create(None, {'id': 7, 'key': 'seven'})
    persistence.create(None, {'id': 8, 'key': 'eight'})

    assert persistence.get_one_by_id(None, 8).key == 'eight'
    assert persistence.delete_by_id(None, 7).key == 'seven'
    assert persistence.get_one_by_id(None, 7) is None


# ---------------------------------------------------------------------------------------------
# set, update, update_partially


def test_set_replaces_an_item_in_place_or_appends_a_new_one(persistence, reopen):
    add_items(persistence, ('1', 'a'), ('2', 'b'), ('3', 'c'))

    replaced = persistence.set(None, {'id': '2', 'key': 'replaced'})
    appended = persistence.set(None, {'id': '4', 'key': 'appended'})

    assert replaced.key == 'replaced' and appended.key == 'appended'
    assert keys_of(all_items(persistence)) == ['a', 'replaced', 'c', 'appended']
    assert keys_of(all_items(reopen())) == ['a', 'replaced', 'c', 'appended']


def test_update_replaces_the_item_with_the_same_id(persistence, reopen, make_item):
    add_items(persistence, ('1', 'a'), ('2', 'b'), make_item=make_item)
    new_version = make_item(id='2', key='b2', content='new')

    updated = persistence.update(None, new_version)

    assert updated is not new_version and fields_of(updated) == fields_of(new_version)
    assert fields_of(reopen().get_one_by_id(None, '2')) == fields_of(new_version)
    assert keys_of(all_items(persistence)) == ['a', 'b2']


@pytest.mark.parametrize('make_item, make_data', [(Dummy, AnyValueMap), (dict, dict)],
                         ids=['object-item-AnyValueMap-data', 'dict-item-dict-data'])
def test_update_partially_sets_only_the_given_fields(persistence, reopen, make_item, make_data):
    add_items(persistence, ('1', 'a'), ('2', 'b'), make_item=make_item)
    data = make_data({'content': 'new content'})

    updated = persistence.update_partially(None, '2', data)

    assert fields_of(updated) == {'id': '2', 'key': 'b', 'content': 'new content'}
    assert fields_of(reopen().get_one_by_id(None, '2')) == {'id': '2', 'key': 'b', 'content': 'new content'}
    assert persistence.get_one_by_id(None, '1').content == 'content of 1'


def test_update_partially_ignores_an_id_in_the_data(persistence):
    add_items(persistence, ('1', 'a'))

    updated = persistence.update_partially(None, '1', {'id': '99', 'key': 'changed'})

    assert updated.id == '1' and updated.key == 'changed'
    assert persistence.get_one_by_id(None, '99') is None
    assert persistence.get_one_by_id(None, '1').key == 'changed'


def test_the_data_given_to_update_partially_is_copied(persistence):
    add_items(persistence, ('1', 'a'))
    tags = ['red']

    persistence.update_partially(None, '1', {'tags': tags})
    tags.append('blue')

    assert persistence.get_one_by_id(None, '1').tags == ['red']


# ---------------------------------------------------------------------------------------------
# delete_by_id, delete_by_ids


def test_delete_by_id_returns_the_removed_item(persistence, reopen):
    add_items(persistence, ('1', 'a'), ('2', 'b'))
    stored = persistence._items[1]

    removed = persistence.delete_by_id(None, '2')

    assert removed is stored and removed.key == 'b'
    assert persistence.get_one_by_id(None, '2') is None
    assert ids_of(all_items(reopen())) == ['1']


def test_operations_on_an_unknown_id_return_none_and_change_nothing(persistence):
    add_items(persistence, ('1', 'a'))

    assert persistence.update(None, {'id': 'unknown', 'key': 'z'}) is None
    assert persistence.update_partially(None, 'unknown', AnyValueMap({'key': 'z'})) is None
    assert persistence.delete_by_id(None, 'unknown') is None
    assert persistence.delete_by_ids(None, ['unknown']) is None
    assert [fields_of(item) for item in all_items(persistence)] == [{'id': '1', 'key': 'a', 'content': 'content of 1'}]


def test_delete_by_ids_removes_the_items_found(persistence, reopen):
    add_items(persistence, ('1', 'a'), ('2', 'b'), ('3', 'c'), ('4', 'd'))

    result = persistence.delete_by_ids(None, ['3', 'unknown', '1'])

    assert result is None
    assert ids_of(all_items(persistence)) == ['2', '4']
    assert ids_of(all_items(reopen())) == ['2', '4']


# ---------------------------------------------------------------------------------------------
# Copies


def test_the_callers_item_is_never_changed_or_shared(persistence, make_item):
    item = make_item(key='a', content='x')
    fields_before = fields_of(item)

    created = persistence.create(None, item)

    assert fields_of(item) == fields_before  # not even the generated id was set on it
    assert created is not item

    if isinstance(item, dict):
        item['content'] = 'changed by the caller'
    else:
        item.content = 'changed by the caller'
    created.content = 'changed through the result'

    assert persistence.get_one_by_id(None, created.id).content == 'x'


@pytest.mark.parametrize('read', [
    lambda persistence: persistence.get_one_by_id(None, '1'),
    lambda persistence: persistence.get_list_by_ids(None, ['1'])[0],
    lambda persistence: persistence.update(None, {'id': '1', 'key': 'a', 'tags': ['red']}),
    lambda persistence: persistence.update_partially(None, '1', {'key': 'a'}),
], ids=['get_one_by_id', 'get_list_by_ids', 'update', 'update_partially'])
def test_changing_a_returned_item_never_changes_the_store(persistence, read):
    persistence.create(None, {'id': '1', 'key': 'a', 'tags': ['red']})

    returned = read(persistence)
    returned.key = 'changed'
    returned.tags.append('blue')

    assert fields_of(persistence.get_one_by_id(None, '1')) == {'id': '1', 'key': 'a', 'tags': ['red']}


def test_an_item_with_a_clone_method_is_copied_with_it(persistence):
    clone_calls = []

    class Versioned:
        def __init__(self, id, key):
            self.id = id
            self.key = key

        def clone(self):
            clone_calls.append(self.id)
            return Versioned(self.id, self.key)

    original = Versioned('1', 'a')
    created = persistence.create(None, original)
    found = persistence.get_one_by_id(None, '1')

    assert clone_calls
    assert isinstance(created, Versioned) and created is not original
    assert isinstance(found, Versioned) and found.key == 'a'


def test_reads_copy_only_what_they_return(persistence):
    clone_calls = []

    class Counted:
        def __init__(self, id):
            self.id = id

        def clone(self):
            clone_calls.append(self.id)
            return Counted(self.id)

    for number in range(30):
        persistence.create(None, Counted(str(number)))
    clone_calls.clear()

    persistence.get_one_by_id(None, '7')
    persistence.get_list_by_ids(None, ['1', '2'])
    persistence.get_count_by_filter(None, None)
    persistence.get_page_by_filter(None, None, PagingParams(0, 3))

    assert len(clone_calls) <= 6  # 1 + 2 + 0 + 3: the items returned, never the whole store


# ---------------------------------------------------------------------------------------------
# Duplicate ids


def test_a_duplicate_id_is_appended_and_operations_by_id_act_on_the_first(persistence):
    persistence.create(None, {'id': '1', 'key': 'first'})
    persistence.create(None, {'id': '1', 'key': 'second'})

    assert keys_of(all_items(persistence)) == ['first', 'second']
    assert persistence.get_one_by_id(None, '1').key == 'first'

    persistence.update(None, {'id': '1', 'key': 'first updated'})
    assert keys_of(all_items(persistence)) == ['first updated', 'second']

    assert persistence.delete_by_id(None, '1').key == 'first updated'
    assert persistence.get_one_by_id(None, '1').key == 'second'


def test_a_duplicate_id_is_traced(persistence, logger_references, recording_logger):
    persistence.set_references(logger_references)

    persistence.create('cid', {'id': '1', 'key': 'first'})
    lines_of_first_create = len(recording_logger.messages)
    persistence.create('cid', {'id': '1', 'key': 'second'})

    assert len(recording_logger.messages) - lines_of_first_create > lines_of_first_create


def test_with_unique_ids_a_duplicate_create_is_a_conflict_that_changes_nothing(counted, storage, backend):
    counted.configure(ConfigParams.from_tuples('options.unique_ids', True))
    counted.create(None, {'id': '1', 'key': 'first'})
    saves_before, file_before = storage.saves, file_state(backend.path)

    with pytest.raises(ConflictException):
        counted.create(None, {'id': '1', 'key': 'second'})

    assert keys_of(all_items(counted)) == ['first']
    assert storage.saves == saves_before
    assert file_state(backend.path) == file_before


def test_with_unique_ids_set_and_update_still_replace(persistence):
    persistence.configure(ConfigParams.from_tuples('options.unique_ids', True))
    persistence.create(None, {'id': '1', 'key': 'first'})

    persistence.set(None, {'id': '1', 'key': 'set'})
    persistence.update(None, {'id': '1', 'key': 'updated'})

    assert keys_of(all_items(persistence)) == ['updated']


# ---------------------------------------------------------------------------------------------
# Saving


@pytest.mark.parametrize('write', [
    lambda persistence: persistence.update(None, {'id': 'unknown', 'key': 'z'}),
    lambda persistence: persistence.update_partially(None, 'unknown', {'key': 'z'}),
    lambda persistence: persistence.delete_by_id(None, 'unknown'),
    lambda persistence: persistence.delete_by_ids(None, ['unknown']),
], ids=['update', 'update_partially', 'delete_by_id', 'delete_by_ids'])
def test_a_write_that_changes_nothing_does_not_save(counted, storage, backend, write):
    add_items(counted, ('1', 'a'))
    saves_before, file_before = storage.saves, file_state(backend.path)

    write(counted)

    assert storage.saves == saves_before
    assert file_state(backend.path) == file_before


@pytest.mark.parametrize('write', [
    lambda persistence: persistence.create(None, {'id': '3', 'key': 'c'}),
    lambda persistence: persistence.set(None, {'id': '1', 'key': 'changed'}),
    lambda persistence: persistence.update_partially(None, '1', {'key': 'changed'}),
    lambda persistence: persistence.delete_by_id(None, '1'),
    lambda persistence: persistence.delete_by_ids(None, ['1', '2']),
], ids=['create', 'set', 'update_partially', 'delete_by_id', 'delete_by_ids'])
def test_a_write_whose_save_fails_raises_and_leaves_memory_as_it_was(counted, storage, write):
    add_items(counted, ('1', 'a'), ('2', 'b'))
    storage.failure = OSError('disk full')

    with pytest.raises(OSError, match='disk full'):
        write(counted)

    assert [fields_of(item) for item in all_items(counted)] == [
        {'id': '1', 'key': 'a', 'content': 'content of 1'}, {'id': '2', 'key': 'b', 'content': 'content of 2'}]
    assert counted.get_one_by_id(None, '1').key == 'a'
    assert counted.get_one_by_id(None, '3') is None

    storage.failure = None
    counted.create(None, {'id': '3', 'key': 'c'})
    assert ids_of(storage.stored()) == ['1', '2', '3']


def test_each_successful_write_saves_once(counted, storage):
    counted.create(None, {'id': '1', 'key': 'a'})
    counted.set(None, {'id': '2', 'key': 'b'})
    counted.update(None, {'id': '1', 'key': 'a2'})
    counted.update_partially(None, '2', {'key': 'b2'})
    counted.delete_by_ids(None, ['1', '2'])

    assert storage.saves == 5
    assert storage.stored() == []


# ---------------------------------------------------------------------------------------------
# Subclasses that change self._items themselves


class ItemsEditingPersistence(IdentifiableMemoryPersistence):
    """Changes ``self._items`` the ways released services do, under the lock, then saves."""

    def edit(self, correlation_id, change):
        with self._lock:
            change(self)
            self.save(correlation_id)


def _reassign_without_2(persistence):
    persistence._items = [item for item in persistence._items if item.id != '2']


def _rename_first(persistence):
    persistence._items[0].id = 'renamed'


ITEM_EDITS = {
    'append': lambda persistence: persistence._items.append({'id': 'new', 'key': 'n'}),
    'insert-first': lambda persistence: persistence._items.insert(0, {'id': 'new', 'key': 'n'}),
    'delete-first': lambda persistence: persistence._items.__delitem__(0),
    'replace': lambda persistence: persistence._items.__setitem__(1, {'id': 'new', 'key': 'n'}),
    'sort-descending': lambda persistence: persistence._items.sort(key=lambda item: item.key, reverse=True),
    'reassign-filtered': _reassign_without_2,
    'rename-in-place': _rename_first,
}


@pytest.mark.parametrize('edit', list(ITEM_EDITS.values()), ids=list(ITEM_EDITS))
def test_operations_by_id_stay_correct_after_a_subclass_changes_its_items(backend, edit):
    persistence = backend.open(ItemsEditingPersistence)
    add_items(persistence, ('1', 'a'), ('2', 'b'), ('3', 'c'))
    persistence.get_one_by_id(None, '3')  # whatever an index holds is now built

    persistence.edit(None, edit)

    expected = {fields_of(item)['id']: fields_of(item)['key'] for item in persistence._items}
    for item_id in ['1', '2', '3', 'new', 'renamed']:
        found = persistence.get_one_by_id(None, item_id)
        assert (fields_of(found)['key'] if found else None) == expected.get(item_id), item_id
    last_id = fields_of(persistence._items[-1])['id']
    assert fields_of(persistence.update_partially(None, last_id, {'content': 'updated'}))['key'] == expected[last_id]
    first_id = fields_of(persistence._items[0])['id']
    assert fields_of(persistence.delete_by_id(None, first_id))['key'] == expected[first_id]
    assert ids_of(all_items(backend.open(ItemsEditingPersistence))) == list(expected)[1:]


def test_an_id_changed_in_place_is_found_by_its_new_id_once_items_are_reassigned(backend):
    """The index cannot see an item's id change; re-assigning ``_items``, as the README asks,
    makes it look again."""
    persistence = backend.open(ItemsEditingPersistence)
    add_items(persistence, ('1', 'a'), ('2', 'b'))
    persistence.get_one_by_id(None, '1')

    def rename_and_reassign(edited):
        edited._items[0].id = 'renamed'
        edited._items = list(edited._items)

    persistence.edit(None, rename_and_reassign)

    assert persistence.get_one_by_id(None, 'renamed').key == 'a'
    assert persistence.get_one_by_id(None, '1') is None


# ---------------------------------------------------------------------------------------------
# Subclasses that override the public queries with a narrower signature


class NarrowQueriesPersistence(IdentifiableMemoryPersistence):
    """Overrides the public queries as services do: ``(correlation_id, filter, paging)`` with ``FilterParams``."""

    def _compose_filter(self, filter):
        if filter is not None and not isinstance(filter, FilterParams):
            raise TypeError(f'expected FilterParams, got {type(filter).__name__}')
        key = (filter or FilterParams()).get_as_nullable_string('key')
        return lambda item: key is None or item.key == key

    def get_page_by_filter(self, correlation_id, filter, paging):
        return super().get_page_by_filter(correlation_id, self._compose_filter(filter), paging)

    def get_list_by_filter(self, correlation_id, filter):
        return super().get_list_by_filter(correlation_id, self._compose_filter(filter))


def test_inherited_operations_work_when_the_public_queries_are_overridden_narrowly(backend):
    persistence = backend.open(NarrowQueriesPersistence)
    for item_id, key in [('1', 'a'), ('2', 'b'), ('3', 'a'), ('4', 'c'), ('5', 'c')]:
        persistence.create(None, {'id': item_id, 'key': key})

    assert sorted(ids_of(persistence.get_list_by_ids(None, ['1', '2', 'unknown']))) == ['1', '2']
    assert persistence.get_one_random(None).id in {'1', '2', '3', '4', '5'}
    assert persistence.get_one_random(None, lambda item: item.key == 'b').id == '2'
    assert persistence.get_count_by_filter(None, lambda item: item.key == 'a') == 2
    persistence.delete_by_ids(None, ['1', '2'])
    persistence.delete_by_filter(None, lambda item: item.key == 'c')
    persistence.set(None, {'id': '6', 'key': 'a'})
    persistence.update(None, {'id': '6', 'key': 'b'})
    persistence.update_partially(None, '3', {'key': 'b'})

    assert ids_of(persistence.get_list_by_filter(None, FilterParams.from_tuples('key', 'b'))) == ['3', '6']
    assert persistence.get_page_by_filter(None, None, PagingParams()).total == 2
    persistence.clear(None)
    assert persistence.get_page_by_filter(None, None, None).total == 0


# ---------------------------------------------------------------------------------------------
# A service persistence written like the released ones (support.DummyMemoryPersistence)


def test_a_service_persistence_written_like_the_beacons_samples_works(service):
    service.create('123', Dummy('1', 'a', 'x'))
    service.create('123', Dummy('2', 'b', 'y'))
    service.create('123', Dummy(key='a', content='z'))

    page = service.get_page_by_filter('123', FilterParams.from_tuples('key', 'a'), PagingParams(0, 10, True))
    assert page.total == 2 and sorted(item.content for item in page.data) == ['x', 'z']
    assert service.get_page_by_filter('123', None, None).total == 3
    assert keys_of(service.get_list_by_filter('123', FilterParams.from_tuples('content', 'y'))) == ['b']
    assert service.get_count_by_key('123', 'a') == 2

    service.update('123', Dummy('1', 'b', 'x2'))
    service.update_partially('123', '2', AnyValueMap({'content': 'y2'}))
    assert service.delete_by_id('123', '1').content == 'x2'
    assert [item.content for item in service.get_page_by_filter(
        '123', FilterParams.from_tuples('key', 'b'), None).data] == ['y2']


def test_a_service_persistence_keeps_working_after_close_and_reopen(service, reopen_service, make_item):
    service.create('123', make_item(id='1', key='a', content='x'))
    service.create('123', make_item(id='2', key='b', content='y'))
    service.close('123')

    reopened = reopen_service()
    reopened.open('123')

    page = reopened.get_page_by_filter('123', FilterParams.from_tuples('key', 'b'), PagingParams())
    assert [item.content for item in page.data] == ['y']
    assert reopened.get_count_by_key('123', 'a') == 1
    assert reopened.get_one_by_id('123', '1').content == 'x'
    assert reopened.update_partially('123', '1', {'content': 'x2'}).content == 'x2'
    assert reopened.delete_by_id('123', '2').key == 'b'


# ---------------------------------------------------------------------------------------------
# Logging


def test_operations_by_id_trace_the_correlation_id_but_never_the_content(
        persistence, logger_references, recording_logger):
    persistence.set_references(logger_references)

    persistence.create('cid-create', {'id': '1', 'key': 'a', 'content': 'secret-4711'})
    persistence.set('cid-set', {'id': '2', 'key': 'b', 'content': 'secret-4711'})
    persistence.get_one_by_id('cid-get', '1')
    persistence.get_list_by_ids('cid-list', ['1', '2'])
    persistence.update('cid-update', {'id': '1', 'key': 'a', 'content': 'secret-4711 again'})
    persistence.update_partially('cid-partial', '2', {'content': 'secret-4711 too'})
    persistence.delete_by_id('cid-delete', '1')
    persistence.delete_by_ids('cid-delete-ids', ['2'])

    traced_ids = {correlation_id for _, correlation_id, _, _ in recording_logger.messages}
    assert {'cid-create', 'cid-set', 'cid-get', 'cid-list', 'cid-update', 'cid-partial', 'cid-delete',
            'cid-delete-ids'} <= traced_ids
    assert not [line for line in recording_logger.lines() if 'secret-4711' in line]


# ---------------------------------------------------------------------------------------------
# Threads


def test_writes_by_id_from_many_threads_lose_nothing(counted, storage):
    def work(thread_number):
        for number in range(15):
            counted.create(None, {'id': f'{thread_number}-{number}', 'count': 0})
        for number in range(15):
            counted.update_partially(None, f'{thread_number}-{number}', {'count': number})
        for number in range(0, 15, 3):
            counted.delete_by_id(None, f'{thread_number}-{number}')

    threads = [threading.Thread(target=work, args=(thread_number,)) for thread_number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    expected = {f'{thread_number}-{number}': number
                for thread_number in range(4) for number in range(15) if number % 3}
    assert {item.id: item.count for item in all_items(counted)} == expected
    assert {item['id']: item['count'] for item in storage.stored()} == expected
    assert storage.saves == 4 * (15 + 15 + 5)
