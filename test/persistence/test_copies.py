"""The persistence owns its items: writes store copies, reads return copies, and only what is
returned is copied. Plain dicts are stored as dicts that also allow attribute access."""

import copy
import json

from pip_services3_commons.data import PagingParams

from pip_services3_data.persistence import IdentifiableMemoryPersistence
from support import Dummy, all_items, fields_of


def change(item, **fields):
    """Sets fields on an item of either shape, as a caller would."""
    for name, value in fields.items():
        if isinstance(item, dict):
            item[name] = value
        else:
            setattr(item, name, value)


def test_a_write_neither_changes_nor_keeps_the_callers_item(persistence, make_item):
    """3.2.3 set the generated id on the caller's own object and stored that very object, so
    later changes by the caller silently changed the store."""
    new_item = make_item(key='a', content=['red'])
    fields_before = copy.deepcopy(fields_of(new_item))
    created = persistence.create(None, new_item)
    callers_items = [new_item, make_item(id=created.id, key='a', content=['red']),
                     make_item(id=created.id, key='a', content=['red'])]
    persistence.set(None, callers_items[1])
    persistence.update(None, callers_items[2])
    partial_data = {'content': ['red']}
    persistence.update_partially(None, created.id, partial_data)

    assert fields_of(new_item) == fields_before  # not even the generated id was set on it
    assert created is not new_item
    for item in callers_items:
        change(item, key='changed by the caller')
        fields_of(item)['content'].append('blue')
    partial_data['content'].append('blue')

    assert fields_of(persistence.get_one_by_id(None, created.id)) == {'id': created.id, 'key': 'a', 'content': ['red']}


def test_the_generic_create_stores_a_copy_and_returns_another(plain_persistence, make_item):
    new_item = make_item(key='a', content=['red'])

    created = plain_persistence.create(None, new_item)
    change(new_item, key='changed by the caller')
    fields_of(new_item)['content'].append('blue')
    change(created, key='changed through the result')

    assert created is not new_item
    assert [fields_of(item) for item in all_items(plain_persistence)] == [
        fields_of(make_item(key='a', content=['red']))]


def test_an_item_of_any_type_is_stored(plain_persistence):
    for name in ['Alice', 'Bob', 'Alfred']:
        plain_persistence.create(None, name)

    assert plain_persistence.get_list_by_filter(None, lambda name: name.startswith('Al')) == ['Alice', 'Alfred']


def test_changing_a_returned_item_never_changes_the_store(persistence):
    original = {'id': '1', 'key': 'a', 'tags': ['red']}
    persistence.create(None, dict(original, tags=['red']))
    reads = {
        'create': lambda: persistence.create(None, {'id': '2', 'key': 'b', 'tags': ['red']}),
        'get_one_by_id': lambda: persistence.get_one_by_id(None, '1'),
        'get_list_by_ids': lambda: persistence.get_list_by_ids(None, ['1'])[0],
        'get_page_by_filter': lambda: persistence.get_page_by_filter(None, None, None).data[0],
        'get_list_by_filter': lambda: persistence.get_list_by_filter(None, None)[0],
        'get_one_random': lambda: persistence.get_one_random(None, lambda item: item.id == '1'),
        'set': lambda: persistence.set(None, {'id': '1', 'key': 'a', 'tags': ['red']}),
        'update': lambda: persistence.update(None, {'id': '1', 'key': 'a', 'tags': ['red']}),
        'update_partially': lambda: persistence.update_partially(None, '1', {'key': 'a'}),
    }

    for name, read in reads.items():
        returned = read()
        returned.key = f'changed through {name}'
        returned.tags.append(name)

        assert fields_of(persistence.get_one_by_id(None, '1')) == original, name
    assert fields_of(persistence.get_one_by_id(None, '2')) == {'id': '2', 'key': 'b', 'tags': ['red']}


def test_a_plain_dict_is_stored_and_reloaded_as_a_dict_that_also_allows_attribute_access(persistence, reopen):
    """3.2.3 turned every dict handed to create or set into a new class, so the results could
    not be indexed, compared to dicts or serialised."""
    created = persistence.create(None, {'id': '1', 'key': 'a', 'content': {'nested': True}})

    for item in (created, persistence.get_one_by_id(None, '1'), reopen().get_one_by_id(None, '1')):
        assert isinstance(item, dict)
        assert item.key == 'a' and item['key'] == 'a'
        assert item == {'id': '1', 'key': 'a', 'content': {'nested': True}}
        assert json.loads(json.dumps(item)) == {'id': '1', 'key': 'a', 'content': {'nested': True}}


class Counted:
    """An item with a ``clone()`` method (commons ``ICloneable``) that counts its calls."""

    clones = 0

    def __init__(self, id, key=None):
        self.id = id
        self.key = key

    def clone(self):
        Counted.clones += 1
        return Counted(self.id, self.key)


def test_an_item_with_a_clone_method_is_copied_with_it(persistence):
    Counted.clones = 0
    original = Counted('1', 'a')

    created = persistence.create(None, original)
    found = persistence.get_one_by_id(None, '1')

    assert isinstance(created, Counted) and created is not original
    assert isinstance(found, Counted) and found.key == 'a'
    assert Counted.clones >= 2


def test_reads_copy_only_the_items_they_return(persistence):
    """3.2.3 deep-copied the whole store on every page, list and count."""
    for number in range(30):
        persistence.create(None, Counted(str(number)))
    Counted.clones = 0

    persistence.get_one_by_id(None, '7')
    persistence.get_list_by_ids(None, ['1', '2'])
    persistence.get_count_by_filter(None, None)
    persistence.get_page_by_filter(None, None, PagingParams(0, 3))
    persistence.get_list_by_filter(None, lambda item: item.id == '9')
    persistence.get_one_random(None)

    assert Counted.clones <= 1 + 2 + 0 + 3 + 1 + 1


class Temperature:
    """Keeps its value through a property whose setter counts its calls."""

    sets = 0

    def __init__(self, id, celsius):
        self.id = id
        self.celsius = celsius

    @property
    def celsius(self):
        return self._celsius

    @celsius.setter
    def celsius(self, value):
        Temperature.sets += 1
        self._celsius = value


class Shadowed:
    """An attribute stored in ``__dict__`` under the name of a read-only property."""

    def __init__(self, id, name):
        self.id = id
        self.__dict__['name'] = name

    @property
    def name(self):
        return 'from the property'


def test_objects_are_copied_with_their_attributes_as_they_are_without_calling_setters():
    persistence = IdentifiableMemoryPersistence()
    originals = [Dummy('1', 'key', {'nested': ['value']}), Temperature('2', 21.5), Shadowed('3', 'stored')]
    Temperature.sets = 0

    for original in originals:
        returned = persistence.create(None, original)
        found = persistence.get_one_by_id(None, original.id)
        for copied in (returned, found):
            assert type(copied) is type(original) and copied is not original
            assert vars(copied) == vars(original)

    assert Temperature.sets == 0
    assert persistence.get_one_by_id(None, '1').content['nested'] is not originals[0].content['nested']
