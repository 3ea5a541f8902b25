"""What a subclass may rely on: the protected members, the re-entrant lock, its own loader and
saver, changing ``self._items``, and overriding the public queries with a narrower signature.
How the id index follows ``self._items`` is in ``test_item_store.py``."""

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import AnyValueMap, FilterParams, PagingParams
from pip_services3_components.log import CompositeLogger

from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister,
    MemoryPersistence,
)
from support import CountingMemoryStorage, Dummy, DummyFilePersistence, all_items, ids_of, keys_of


@pytest.mark.parametrize('persistence_class', [MemoryPersistence, IdentifiableMemoryPersistence])
def test_a_new_memory_persistence_is_empty_closed_and_has_the_documented_members(persistence_class):
    persistence = persistence_class()

    assert persistence._items == [] and isinstance(persistence._items, list)
    assert persistence._loader is None and persistence._saver is None
    assert persistence._opened is False and persistence.is_open() is False
    assert persistence._max_page_size == 100
    assert isinstance(persistence._logger, CompositeLogger)


@pytest.mark.parametrize('persistence_class', [FilePersistence, IdentifiableFilePersistence])
def test_a_file_persistence_uses_its_one_persister_as_loader_and_saver(tmp_path, persistence_class):
    given = JsonFilePersister(str(tmp_path / 'items.json'))

    built_without = persistence_class()
    built_with = persistence_class(given)

    assert isinstance(built_without._persister, JsonFilePersister) and built_without._persister.path is None
    assert built_without._loader is built_without._persister and built_without._saver is built_without._persister
    assert built_with._persister is given and built_with._loader is given and built_with._saver is given


def test_the_loader_and_saver_are_looked_up_when_used_so_a_subclass_may_assign_them_late():
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


class ArchivingPersistence(IdentifiableMemoryPersistence):
    """Changes its items under the lock, saves and calls public methods, as subclasses are told to."""

    def archive(self, correlation_id, item):
        with self._lock:
            # Checked first so that a non-re-entrant lock fails this test instead of hanging it.
            if not self._lock.acquire(blocking=False):
                raise AssertionError('the lock is not re-entrant: save() under it would deadlock')
            self._lock.release()
            self._items.append(item)
            self.save(correlation_id)
            self.create(correlation_id, Dummy('marker', 'marker'))
            return self.get_one_by_id(correlation_id, item.id)

    def reverse_all(self, correlation_id):
        with self._lock:
            self._items = list(reversed(self._items))
            self.save(correlation_id)


def test_a_subclass_may_hold_the_lock_and_save_or_call_public_methods(backend):
    """3.2.3's lock was a plain Lock: a subclass that held it and called save() deadlocked."""
    persistence = backend.open(ArchivingPersistence)

    archived = persistence.archive(None, Dummy('1', 'archived'))

    assert archived.key == 'archived'
    assert keys_of(all_items(backend.open(ArchivingPersistence))) == ['archived', 'marker']


def test_a_subclass_may_assign_its_items_and_the_persistence_works_on_them(backend):
    persistence = backend.open(ArchivingPersistence)
    for item_id in '123':
        persistence.create(None, {'id': item_id})

    persistence.reverse_all(None)
    persistence.create(None, {'id': '4'})

    assert ids_of(all_items(persistence)) == ['3', '2', '1', '4']
    assert ids_of(all_items(backend.open(ArchivingPersistence))) == ['3', '2', '1', '4']


class NarrowQueriesPersistence(IdentifiableMemoryPersistence):
    """Overrides the public queries as services do: ``(correlation_id, filter, paging)`` with
    ``FilterParams``, refusing anything else."""

    def _compose_filter(self, filter):
        if filter is not None and not isinstance(filter, FilterParams):
            raise TypeError(f'expected FilterParams, got {type(filter).__name__}')
        key = (filter or FilterParams()).get_as_nullable_string('key')
        return lambda item: key is None or item.key == key

    def get_page_by_filter(self, correlation_id, filter, paging):
        return super().get_page_by_filter(correlation_id, self._compose_filter(filter), paging)

    def get_list_by_filter(self, correlation_id, filter):
        return super().get_list_by_filter(correlation_id, self._compose_filter(filter))


def test_inherited_operations_never_call_the_public_queries_a_subclass_narrowed(backend):
    persistence = backend.open(NarrowQueriesPersistence)
    for item_id, key in [('1', 'a'), ('2', 'b'), ('3', 'a'), ('4', 'c'), ('5', 'c')]:
        persistence.create(None, {'id': item_id, 'key': key})

    assert sorted(ids_of(persistence.get_list_by_ids(None, ['1', '2', 'unknown']))) == ['1', '2']
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


def test_a_service_persistence_written_like_the_beacons_samples_works_across_a_restart(
        service, reopen_service, make_item):
    """``support.DummyMemoryPersistence``: narrow query overrides over attribute-based filters."""
    service.create('123', make_item(id='1', key='a', content='x'))
    service.create('123', make_item(id='2', key='b', content='y'))
    service.create('123', make_item(key='a', content='z'))

    page = service.get_page_by_filter('123', FilterParams.from_tuples('key', 'a'), PagingParams(0, 10, True))
    assert page.total == 2 and sorted(item.content for item in page.data) == ['x', 'z']
    assert keys_of(service.get_list_by_filter('123', FilterParams.from_tuples('content', 'y'))) == ['b']
    service.close('123')

    restarted = reopen_service()
    restarted.open('123')

    assert restarted.get_count_by_key('123', 'a') == 2
    assert restarted.update('123', make_item(id='1', key='b', content='x2')).content == 'x2'
    assert restarted.update_partially('123', '2', AnyValueMap({'content': 'y2'})).content == 'y2'
    assert restarted.delete_by_id('123', '1').content == 'x2'
    assert [item.content for item in restarted.get_page_by_filter(
        '123', FilterParams.from_tuples('key', 'b'), None).data] == ['y2']


def test_a_service_file_persistence_that_wires_its_persister_itself_is_configured_after_construction(tmp_path):
    path = tmp_path / 'dummies.json'
    persistence = DummyFilePersistence()

    persistence.configure(ConfigParams.from_tuples('path', str(path)))
    persistence.open(None)
    persistence.create(None, Dummy('1', 'a', 'x'))
    persistence.close(None)

    restarted = DummyFilePersistence(str(path))
    restarted.open(None)
    page = restarted.get_page_by_filter(None, FilterParams.from_tuples('key', 'a'), PagingParams())
    assert [item.content for item in page.data] == ['x']
