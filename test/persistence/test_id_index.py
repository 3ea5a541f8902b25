"""IdIndex: positions and items by id stay right through the persistence's own changes without
a rebuild, since a wrong entry would be healed by a rebuild, an O(n) scan, and go unnoticed."""

import pytest

from pip_services3_data.persistence._id_index import IdIndex
from pip_services3_data.persistence._item_list import ItemList


@pytest.fixture
def items():
    return ItemList({'id': str(number)} for number in range(10))


@pytest.fixture
def index(items, monkeypatch):
    index = IdIndex()
    index.position_of(items, '0')  # the one rebuild that builds the index

    def refuse_rebuild(rebuilt_items):
        raise AssertionError('the index was rebuilt')

    monkeypatch.setattr(index, '_rebuild', refuse_rebuild)
    return index


def remove(index, items, item_id):
    position = index.position_of(items, item_id)
    list.__delitem__(items, position)
    index.record_removal(items, item_id)


def append(index, items, item_id):
    item = {'id': item_id}
    list.append(items, item)
    index.record_append(items, item_id, item)
    return item


def assert_every_position_is_right(index, items):
    for position, item in enumerate(items):
        assert index.position_of(items, item['id']) == position, item['id']
        assert index.item_with(items, item['id']) is item


@pytest.mark.parametrize('removed_ids', [['2'], ['8', '2', '5'], ['9'], ['0', '1', '2']])
def test_positions_after_removals_need_no_rebuild(index, items, removed_ids):
    for item_id in removed_ids:
        remove(index, items, item_id)

    assert_every_position_is_right(index, items)
    assert index.position_of(items, removed_ids[0]) is None
    assert index.item_with(items, removed_ids[0]) is None


def test_positions_below_items_created_and_deleted_again_need_no_rebuild(index, items):
    created_ids = ['new-1', 'new-2', 'new-3']
    for item_id in created_ids:
        append(index, items, item_id)
    for item_id in created_ids:
        remove(index, items, item_id)
    remove(index, items, '4')

    assert_every_position_is_right(index, items)


def test_appends_after_removals_and_replacements_need_no_rebuild(index, items):
    remove(index, items, '3')
    appended = append(index, items, 'new')
    replacement = {'id': '6', 'version': 2}
    list.__setitem__(items, index.position_of(items, '6'), replacement)
    index.record_replacement(items, '6', replacement)

    assert_every_position_is_right(index, items)
    assert index.item_with(items, 'new') is appended
    assert index.item_with(items, '6') is replacement


def test_an_id_changed_in_place_sends_the_next_lookup_of_it_through_a_rebuild(index, items):
    items[4]['id'] = 'renamed'

    with pytest.raises(AssertionError, match='rebuilt'):
        index.position_of(items, '4')
