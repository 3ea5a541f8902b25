"""The item store keeps the id index in step with every change, sees every change a subclass
makes to ``self._items``, and is never silently wrong.

The suite runs with ``ItemStore.verify_index`` set (see conftest), so a lookup through an index
that disagrees with the items fails the test instead of being repaired.
"""

import gc
import heapq
import platform
import weakref

import pytest

from pip_services3_data.persistence import IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister
from pip_services3_data.persistence._id_index import IdIndex
from pip_services3_data.persistence._item_store import IndexOutOfStep, ItemStore


class TrustingSubclass(IdentifiableMemoryPersistence):
    """Changes ``self._items`` the ways a subclass may, then saves, as the contract asks."""

    def change_items(self, change):
        with self._lock:
            change(self._items)
            self.save(None)


class Ranked(dict):
    """A dict item that heapq can order."""

    def __lt__(self, other):
        return self['id'] < other['id']


def stored(number):
    return Ranked(id=str(number), name='item %d' % number)


@pytest.fixture
def persistence(backend):
    persistence = backend.open(TrustingSubclass)
    for number in range(5):
        persistence.create(None, stored(number))
    persistence.get_one_by_id(None, '0')  # the index is built
    return persistence


@pytest.mark.parametrize('change', [
    pytest.param(lambda items: heapq.heappush(items, stored(9)), id='heapq.heappush'),
    pytest.param(lambda items: list.append(items, stored(9)), id='list.append'),
    pytest.param(lambda items: list.__setitem__(items, 2, stored(9)), id='list.__setitem__'),
    pytest.param(lambda items: list.insert(items, 0, stored(9)), id='list.insert'),
    pytest.param(lambda items: items.extend([stored(9)]), id='extend'),
    pytest.param(lambda items: items.__setitem__(slice(1, 3), [stored(9)]), id='slice assignment'),
])
def test_an_item_added_through_any_list_operation_is_found_by_id(persistence, change):
    persistence.change_items(change)

    assert persistence.get_one_by_id(None, '9')['name'] == 'item 9'


@pytest.mark.parametrize('change', [
    pytest.param(lambda items: list.__delitem__(items, 1), id='list.__delitem__'),
    pytest.param(lambda items: list.pop(items, 1), id='list.pop'),
    pytest.param(lambda items: list.reverse(items), id='list.reverse'),
    pytest.param(lambda items: list.sort(items, key=lambda item: -int(item['id'])), id='list.sort'),
    pytest.param(lambda items: items.__setitem__(1, stored(7)), id='replacement'),
])
def test_positions_follow_any_list_operation(persistence, change):
    persistence.change_items(change)
    expected = persistence.get_list_by_filter(None, None)

    persistence.update_partially(None, expected[-1]['id'], {'name': 'last'})

    assert [item['name'] for item in persistence.get_list_by_filter(None, None)][-1] == 'last'
    assert [item['id'] for item in persistence.get_list_by_filter(None, None)] == [item['id'] for item in expected]


def test_a_change_is_seen_by_id_before_it_is_saved(persistence):
    with persistence._lock:
        list.append(persistence._items, stored(9))
        found = persistence.get_one_by_id(None, '9')
        persistence.save(None)

    assert found['name'] == 'item 9'


def test_an_id_changed_in_place_is_found_under_its_new_id(persistence):
    persistence.change_items(lambda items: items[3].__setitem__('id', 'renamed'))

    assert persistence.get_one_by_id(None, 'renamed')['name'] == 'item 3'
    assert persistence.get_one_by_id(None, '3') is None


def test_an_assigned_list_is_the_store_from_then_on(backend):
    persistence = backend.open(TrustingSubclass)
    assigned = [stored(1)]
    with persistence._lock:
        persistence._items = assigned
        assigned.append(stored(2))
        persistence.save(None)

    assert persistence.get_one_by_id(None, '2')['name'] == 'item 2'


def test_a_list_kept_past_a_lookup_and_changed_in_length_is_noticed(persistence, monkeypatch, recording_logger,
                                                                     logger_references):
    monkeypatch.setattr(ItemStore, 'verify_index', False)
    persistence.set_references(logger_references)
    kept = persistence._items
    persistence.get_one_by_id(None, '0')

    list.append(kept, stored(9))

    assert persistence.get_one_by_id(None, '9')['name'] == 'item 9'
    assert any('changed without the persistence seeing it' in line for line in recording_logger.lines())


def test_a_kept_list_changed_behind_the_index_fails_a_verified_lookup(persistence):
    kept = persistence._items
    persistence.get_one_by_id(None, '0')

    list.__setitem__(kept, 0, stored(9))

    with pytest.raises(IndexOutOfStep):
        persistence.get_one_by_id(None, '9')


# The index's own bookkeeping, through the store that owns it.

def new_store(count=10):
    store = ItemStore(on_out_of_step=pytest.fail)
    store.reset([{'id': str(number)} for number in range(count)])
    return store


def assert_in_step(store):
    assert store.index.differences_from(store.items) == []
    for position, item in enumerate(store.items):
        assert store.index.position_of(item['id']) == position


@pytest.mark.parametrize('removed_positions', [[2], [7, 2, 4], [9], [0, 0, 0]])
def test_positions_stay_right_through_removals(removed_positions):
    store = new_store()
    for position in removed_positions:
        store.remove(position)
    assert_in_step(store)


def test_positions_stay_right_through_appends_replacements_and_removals():
    store = new_store()
    store.append({'id': 'a'})
    store.remove(3)
    store.replace(5, {'id': store.items[5]['id'], 'replaced': True})
    store.append({'id': 'b'})
    store.remove(store.index.position_of('a'))
    store.append({'id': 'c'})
    assert_in_step(store)


def test_removing_the_first_of_a_duplicated_id_leads_to_the_next():
    store = new_store(3)
    second = {'id': '1', 'second': True}
    store.append(second)

    store.remove(store.index.position_of('1'))

    assert store.index.item_with('1') is second
    assert_in_step(store)


def test_a_roll_back_restores_the_items_and_the_index():
    store = new_store()
    before = list(store.items)
    store.begin()
    store.append({'id': 'a'})
    store.remove(2)
    store.replace(0, {'id': '0', 'replaced': True})
    store.replace_all(store.items[:3])

    store.roll_back()

    assert store.items == before and all(map(lambda pair: pair[0] is pair[1], zip(store.items, before)))
    assert_in_step(store)


def test_a_bookkeeping_mistake_fails_the_next_verified_lookup(monkeypatch):
    store = new_store()
    store.index  # built
    monkeypatch.setattr(IdIndex, 'removed', lambda index, item_id: None)
    store.remove(4)

    with pytest.raises(IndexOutOfStep):
        store.index.position_of('9')


def test_a_file_persistence_hands_out_its_items_before_it_has_a_path():
    class Seeded(IdentifiableFilePersistence):
        def __init__(self):
            super().__init__()
            self._items.append({'id': 'seed'})

    assert [item['id'] for item in Seeded()._items] == ['seed']


def test_a_logger_a_subclass_puts_in_its_place_gets_the_out_of_step_warning(persistence, monkeypatch,
                                                                            recording_logger):
    monkeypatch.setattr(ItemStore, 'verify_index', False)
    persistence._logger = recording_logger
    kept = persistence._items
    persistence.get_one_by_id(None, '0')

    list.append(kept, stored(9))
    persistence.get_one_by_id(None, '9')

    assert any('changed without the persistence seeing it' in line for line in recording_logger.lines())


@pytest.mark.skipif(platform.python_implementation() == 'PyPy',
                    reason='PyPy frees objects only through its garbage collector: nothing is freed at once')
@pytest.mark.parametrize('kind', ['memory', 'file'])
def test_a_dropped_persistence_and_its_items_are_freed_at_once(tmp_path, kind):
    """The store's warning callback and the group commit's lock callbacks referred to the
    persistence, so a dropped one, with all its items, waited for the cycle collector."""
    persistence = (IdentifiableMemoryPersistence() if kind == 'memory'
                   else IdentifiableFilePersistence(JsonFilePersister(str(tmp_path / 'items.json'))))
    persistence.open(None)
    persistence.create(None, {'id': '1'})
    persistence.get_one_by_id(None, '1')
    dropped = weakref.ref(persistence)

    collecting = gc.isenabled()
    gc.disable()
    try:
        del persistence
        assert dropped() is None
    finally:
        if collecting:
            gc.enable()
