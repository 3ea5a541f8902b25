"""Writes and reads by id on an identifiable persistence, memory and file alike.

Ids, ``get_one_by_id``, ``get_list_by_ids``, ``create``, ``set``, ``update``,
``update_partially``, ``delete_by_id``, ``delete_by_ids``, duplicate ids, and items that are
not what a write needs. Copies are in ``test_copies.py``; saving and rollback in
``test_saving_and_rollback.py``.
"""

import re
from dataclasses import dataclass

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import AnyValueMap
from pip_services3_commons.errors import BadRequestException, ConflictException

from support import Dummy, all_items, fields_of, ids_of, keys_of

GENERATED_ID = re.compile(r'^[0-9a-f]{32}$')


def add_items(persistence, *rows, make_item=dict):
    """Creates one item per ``(id, key)`` row, in order."""
    for item_id, key in rows:
        persistence.create(None, make_item(id=item_id, key=key, content=f'content of {item_id}'))


def stored_fields(persistence):
    return [fields_of(item) for item in all_items(persistence)]


# ---------------------------------------------------------------------------------------------
# Ids


@pytest.mark.parametrize('write', ['create', 'set'])
@pytest.mark.parametrize('new_item', [
    lambda: {'key': 'a'},
    lambda: {'id': '', 'key': 'a'},
    lambda: Dummy(None, 'a'),
], ids=['dict-without-id', 'dict-empty-id', 'object-none-id'])
def test_an_item_without_id_gets_a_generated_one(persistence, reopen, write, new_item):
    stored = getattr(persistence, write)(None, new_item())

    assert GENERATED_ID.match(stored.id)
    assert reopen().get_one_by_id(None, stored.id).key == 'a'


def test_every_generated_id_is_new(persistence):
    ids = {persistence.create(None, {'key': 'a'}).id for _ in range(20)}

    assert len(ids) == 20


def test_a_given_id_is_kept_and_need_not_be_a_string(persistence, reopen):
    assert persistence.create(None, {'id': '1', 'key': 'one'}).id == '1'
    assert persistence.create(None, {'id': 7, 'key': 'seven'}).id == 7

    assert reopen().get_one_by_id(None, '1').key == 'one'
    assert reopen().get_one_by_id(None, 7).key == 'seven'


# ---------------------------------------------------------------------------------------------
# Reads by id


def test_get_one_by_id_finds_the_item_or_none(persistence, make_item):
    add_items(persistence, ('1', 'a'), ('2', 'b'), make_item=make_item)

    assert fields_of(persistence.get_one_by_id(None, '2')) == {'id': '2', 'key': 'b', 'content': 'content of 2'}
    assert persistence.get_one_by_id(None, 'unknown') is None


def test_get_list_by_ids_returns_only_the_items_found(persistence):
    add_items(persistence, ('1', 'a'), ('2', 'b'), ('3', 'c'))

    assert sorted(ids_of(persistence.get_list_by_ids(None, ['3', 'unknown', '1']))) == ['1', '3']
    assert persistence.get_list_by_ids(None, []) == []
    assert persistence.get_list_by_ids(None, ['unknown']) == []


# ---------------------------------------------------------------------------------------------
# Writes by id


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

    assert fields_of(updated) == fields_of(new_version)
    assert fields_of(reopen().get_one_by_id(None, '2')) == fields_of(new_version)
    assert keys_of(all_items(persistence)) == ['a', 'b2']


@pytest.mark.parametrize('make_item, make_data', [(Dummy, AnyValueMap), (dict, dict)],
                         ids=['object-item-AnyValueMap-data', 'dict-item-dict-data'])
def test_update_partially_sets_only_the_given_fields_and_never_the_id(persistence, reopen, make_item, make_data):
    add_items(persistence, ('1', 'a'), ('2', 'b'), make_item=make_item)

    updated = persistence.update_partially(None, '2', make_data({'content': 'new content', 'id': '99'}))

    assert fields_of(updated) == {'id': '2', 'key': 'b', 'content': 'new content'}
    assert fields_of(reopen().get_one_by_id(None, '2')) == {'id': '2', 'key': 'b', 'content': 'new content'}
    assert persistence.get_one_by_id(None, '99') is None
    assert persistence.get_one_by_id(None, '1').content == 'content of 1'


def test_delete_by_id_returns_the_removed_item_itself(persistence, reopen):
    add_items(persistence, ('1', 'a'), ('2', 'b'))
    stored = persistence._items[1]

    removed = persistence.delete_by_id(None, '2')

    assert removed is stored and removed.key == 'b'
    assert persistence.get_one_by_id(None, '2') is None
    assert ids_of(all_items(reopen())) == ['1']


def test_delete_by_ids_removes_the_items_found(persistence, reopen):
    add_items(persistence, ('1', 'a'), ('2', 'b'), ('3', 'c'), ('4', 'd'))

    result = persistence.delete_by_ids(None, ['3', 'unknown', '1'])

    assert result is None
    assert ids_of(all_items(persistence)) == ['2', '4']
    assert ids_of(all_items(reopen())) == ['2', '4']


def test_writes_to_an_unknown_id_return_none_and_change_nothing(persistence):
    add_items(persistence, ('1', 'a'))

    assert persistence.update(None, {'id': 'unknown', 'key': 'z'}) is None
    assert persistence.update_partially(None, 'unknown', AnyValueMap({'key': 'z'})) is None
    assert persistence.delete_by_id(None, 'unknown') is None
    assert persistence.delete_by_ids(None, ['unknown']) is None
    assert stored_fields(persistence) == [{'id': '1', 'key': 'a', 'content': 'content of 1'}]


def test_reloaded_items_of_either_shape_work_in_every_operation_by_id(persistence, reopen, make_item):
    """3.2.3 reloaded items that its own code and attribute-based filters could not read
    (``item.id`` on a dict), so a file persistence broke after its first restart."""
    add_items(persistence, ('1', 'a'), ('2', 'b'), make_item=make_item)
    reloaded = reopen()

    assert reloaded.get_one_by_id(None, '1').key == 'a'
    assert keys_of(reloaded.get_list_by_ids(None, ['1', '2'])) == ['a', 'b']
    assert reloaded.get_list_by_filter(None, lambda item: item.key == 'b')[0].id == '2'
    assert reloaded.update(None, make_item(id='1', key='a2', content='x')).key == 'a2'
    assert reloaded.update_partially(None, '2', {'content': 'y'}).content == 'y'
    assert reloaded.delete_by_id(None, '1').key == 'a2'
    assert stored_fields(reopen()) == [{'id': '2', 'key': 'b', 'content': 'y'}]


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


def test_with_unique_ids_a_duplicate_create_is_a_conflict_that_changes_nothing(persistence, reopen):
    """3.2.3 always appended an item whose id was already stored and had no way to refuse it."""
    persistence.configure(ConfigParams.from_tuples('options.unique_ids', True))
    persistence.create(None, {'id': '1', 'key': 'first'})

    with pytest.raises(ConflictException) as raised:
        persistence.create(None, {'id': '1', 'key': 'second'})

    assert raised.value.code == 'DUPLICATE_ID'
    assert keys_of(all_items(persistence)) == ['first']
    assert keys_of(all_items(reopen())) == ['first']


def test_with_unique_ids_set_and_update_still_replace(persistence):
    persistence.configure(ConfigParams.from_tuples('options.unique_ids', True))
    persistence.create(None, {'id': '1', 'key': 'first'})

    persistence.set(None, {'id': '1', 'key': 'set'})
    persistence.update(None, {'id': '1', 'key': 'updated'})

    assert keys_of(all_items(persistence)) == ['updated']


# ---------------------------------------------------------------------------------------------
# Items a write cannot take


@dataclass(frozen=True)
class FrozenNote:
    id: object
    text: str


@pytest.mark.parametrize('write', ['create', 'set', 'update'])
def test_storing_none_is_a_bad_request_that_changes_nothing(persistence, reopen, write):
    add_items(persistence, ('1', 'a'))

    with pytest.raises(BadRequestException) as raised:
        getattr(persistence, write)(None, None)

    assert raised.value.code == 'NO_ITEM'
    assert stored_fields(reopen()) == [{'id': '1', 'key': 'a', 'content': 'content of 1'}]


def test_an_item_whose_id_cannot_be_set_is_a_bad_request(persistence, reopen):
    add_items(persistence, ('1', 'a'))

    with pytest.raises(BadRequestException) as raised:
        persistence.create(None, FrozenNote(None, 'no id and no way to set one'))

    assert raised.value.code == 'ID_NOT_SETTABLE'
    assert 'FrozenNote' in raised.value.message
    assert ids_of(all_items(reopen())) == ['1']
