"""The parity scenarios: one list, each with the outcome expected on every backend.

A scenario is a function of a seeded :class:`ParityBackend` that returns an observation (a
plain value: ids, a total, a type name); an exception it raises is observed as
:class:`Raised`. The ``@scenario`` decorator adds it to :data:`SCENARIOS` with its expectations:

- ``fake``: this library in its default mode (``memory``; also ``file`` unless ``file`` is given).
- ``database``: both pip-services3-postgres persistences (unless ``json`` or ``table`` is given),
  defaulting to ``fake``.
- ``strict``: ``memory-strict`` and ``file-strict`` (issue 14, SPEC §8), defaulting to what the
  default mode gives on the same store.

and a verdict: :data:`SAME` (every backend agrees), :data:`BY_DESIGN` (they differ, and the
difference is a documented rule; the strict mode takes the databases' side wherever both agree) or
:data:`DEFECT` (the database persistence misbehaves; neither mode copies it).
"""

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Callable, List, Optional, Sequence

from pip_services3_commons.data import AnyValueMap, PagingParams, SortField, SortParams

from parity_backends import Gadget, ParityBackend, Spelled

SAME = 'same'
BY_DESIGN = 'differs by design'
DEFECT = 'database defect not copied'
VERDICTS = (SAME, BY_DESIGN, DEFECT)

CID = 'parity'


@dataclass(frozen=True)
class Raised:
    """The observation of a scenario that raised: the exception's class name."""

    exception: str


class AnyOrder:
    """Expects the same items in any order: for reads whose order nothing promises."""

    def __init__(self, items: Sequence[Any]) -> None:
        self.items = list(items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AnyOrder):
            return sorted(self.items) == sorted(other.items)
        return isinstance(other, list) and sorted(other) == sorted(self.items)

    def __repr__(self) -> str:
        return f'AnyOrder({self.items!r})'


class _Inherited:
    """Marks an expectation that was not given and takes another's value."""

    def __repr__(self) -> str:
        return 'INHERITED'


INHERITED: Any = _Inherited()


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[ParityBackend], Any]
    verdict: str
    fake: Any
    file: Any = INHERITED
    database: Any = INHERITED
    json: Any = INHERITED
    table: Any = INHERITED
    strict: Any = INHERITED
    note: str = field(default='')

    def expected(self, backend: str) -> Any:
        """The outcome this scenario must have on ``backend`` (one of ``ALL_BACKENDS``)."""
        if backend.endswith('-strict'):
            default_mode = self.expected(backend[:-len('-strict')])
            return default_mode if self.strict is INHERITED else self.strict
        if backend == 'memory':
            return self.fake
        if backend == 'file':
            return self.fake if self.file is INHERITED else self.file
        database = self.fake if self.database is INHERITED else self.database
        variant = {'postgres-json': self.json, 'postgres-table': self.table}[backend]
        return database if variant is INHERITED else variant


SCENARIOS: List[Scenario] = []


def scenario(name: str, verdict: str, *, fake: Any, file: Any = INHERITED, database: Any = INHERITED,
             json: Any = INHERITED, table: Any = INHERITED, strict: Any = INHERITED,
             note: str = '') -> Callable[[Callable[[ParityBackend], Any]], Callable[[ParityBackend], Any]]:
    def register(run: Callable[[ParityBackend], Any]) -> Callable[[ParityBackend], Any]:
        SCENARIOS.append(Scenario(name, run, verdict, fake, file, database, json, table, strict, note))
        return run
    return register


def observe(scenario: Scenario, backend: ParityBackend) -> Any:
    """Runs ``scenario`` on ``backend``: what it returns, or :class:`Raised` for what it raises."""
    try:
        return scenario.run(backend)
    except Exception as error:  # every outcome is an observation, errors included
        return Raised(type(error).__name__)


# ---------------------------------------------------------------------------------------------
# Filters, sorts and projections, each in the three languages

ACTIVE = Spelled(lambda gadget: gadget.active, '"active"', "(data->>'active')::boolean")
NAMED_CLAMP = Spelled(lambda gadget: gadget.name == 'clamp', "\"name\" = 'clamp'", "data->>'name' = 'clamp'")
NOTHING = Spelled(lambda gadget: False, 'FALSE', 'FALSE')

BY_ID = Spelled(SortParams(SortField('id')), '"id"', '"id"')
BY_NAME = Spelled(SortParams(SortField('name')), '"name"', "data->>'name'")
BY_NAME_DESCENDING = Spelled(SortParams(SortField('name', False)), '"name" DESC', "data->>'name' DESC")
BY_RANK = Spelled(lambda gadget: gadget.rank, '"rank"', "data->'rank'")
BY_RANK_PARAMS = Spelled(SortParams(SortField('rank')), '"rank"', "data->'rank'")
ACTIVE_FIRST_THEN_BY_RANK = Spelled(SortParams(SortField('active', False), SortField('rank')),
                                    '"active" DESC, "rank"', "data->'active' DESC, data->'rank'")

NAME_ONLY = Spelled(lambda gadget: SimpleNamespace(name=gadget.name), '"name"', "data->>'name' AS name")


# ---------------------------------------------------------------------------------------------
# Helpers the scenarios observe with

def ids(items: List[Any]) -> List[Any]:
    return [item.id for item in items]


def count(backend: ParityBackend) -> int:
    return int(backend.persistence.get_count_by_filter(CID, None))


def page(backend: ParityBackend, filter: Optional[Spelled], paging: Optional[PagingParams],
         sort: Optional[Spelled] = None, select: Optional[Spelled] = None) -> Any:
    return backend.persistence.get_page_by_filter(CID, backend.spell(filter), paging, backend.spell(sort),
                                                  backend.spell(select))


def listed(backend: ParityBackend, filter: Optional[Spelled], sort: Optional[Spelled] = None) -> List[Any]:
    return backend.persistence.get_list_by_filter(CID, backend.spell(filter), backend.spell(sort), None)


def shape(item: Any) -> List[bool]:
    """Is it the caller's class, can it be subscripted, does it have the class's methods."""
    try:
        item['id']
        subscriptable = True
    except (TypeError, KeyError):
        subscriptable = False
    return [isinstance(item, Gadget), subscriptable, callable(getattr(item, 'describe', None))]


def by_id(backend: ParityBackend, id: str) -> Any:
    return backend.persistence.get_one_by_id(CID, id)


# ---------------------------------------------------------------------------------------------
# CRUD by id

@scenario('create returns the stored item', SAME, fake=['6', 'fan', 7])
def create_returns_the_stored_item(backend: ParityBackend) -> Any:
    created = backend.persistence.create(CID, Gadget('6', 'fan', 7))
    return [created.id, created.name, created.rank]


@scenario('create without an id generates one', SAME, fake=[32, 'fan'])
def create_generates_an_id(backend: ParityBackend) -> Any:
    created = backend.persistence.create(CID, Gadget(None, 'fan'))
    return [len(created.id), by_id(backend, created.id).name]


@scenario("create leaves the caller's object unchanged", SAME, fake=None)
def create_leaves_the_caller_object_alone(backend: ParityBackend) -> Any:
    gadget = Gadget(None, 'fan')
    backend.persistence.create(CID, gadget)
    return gadget.id


@scenario("create with the id ''", BY_DESIGN, fake=32, database=0,
          note="the fake treats '' like a missing id; the databases store ''")
def create_with_an_empty_id(backend: ParityBackend) -> Any:
    return len(backend.persistence.create(CID, Gadget('', 'fan')).id)


@scenario('get_one_by_id of a stored id', SAME, fake=['2', 'bolt'])
def get_one_by_id_of_a_stored_id(backend: ParityBackend) -> Any:
    found = by_id(backend, '2')
    return [found.id, found.name]


@scenario('get_one_by_id of an unknown id', SAME, fake=None)
def get_one_by_id_of_an_unknown_id(backend: ParityBackend) -> Any:
    return by_id(backend, 'unknown')


@scenario('update replaces the whole item', SAME, fake=['bolt-2', None])
def update_replaces_the_whole_item(backend: ParityBackend) -> Any:
    backend.persistence.update(CID, Gadget('2', 'bolt-2'))
    stored = by_id(backend, '2')
    return [stored.name, stored.rank]


@scenario('update of an unknown id', DEFECT, fake=[None, 5], database=Raised('AttributeError'),
          note='the databases raise reading the id of the None they found')
def update_of_an_unknown_id(backend: ParityBackend) -> Any:
    return [backend.persistence.update(CID, Gadget('unknown', 'fan')), count(backend)]


@scenario('set of a stored id replaces it', SAME, fake=['bolt-2', 'bolt-2', 5])
def set_of_a_stored_id(backend: ParityBackend) -> Any:
    returned = backend.persistence.set(CID, Gadget('2', 'bolt-2'))
    return [returned.name, by_id(backend, '2').name, count(backend)]


@scenario('set of a new id creates it', SAME, fake=['nut', 6])
def set_of_a_new_id(backend: ParityBackend) -> Any:
    backend.persistence.set(CID, Gadget('9', 'nut'))
    return [by_id(backend, '9').name, count(backend)]


@scenario('set without an id generates one', SAME, fake=[32, 'nut'])
def set_without_an_id(backend: ParityBackend) -> Any:
    returned = backend.persistence.set(CID, Gadget(None, 'nut'))
    return [len(returned.id), by_id(backend, returned.id).name]


@scenario('delete_by_id returns the removed item', SAME, fake=['bolt', None, 4])
def delete_by_id_returns_the_removed_item(backend: ParityBackend) -> Any:
    removed = backend.persistence.delete_by_id(CID, '2')
    return [removed.name, by_id(backend, '2'), count(backend)]


@scenario('delete_by_id of an unknown id', SAME, fake=[None, 5])
def delete_by_id_of_an_unknown_id(backend: ParityBackend) -> Any:
    return [backend.persistence.delete_by_id(CID, 'unknown'), count(backend)]


# ---------------------------------------------------------------------------------------------
# Batches of ids

@scenario('get_list_by_ids returns the matches only', SAME, fake=['2', '4'])
def get_list_by_ids_returns_matches(backend: ParityBackend) -> Any:
    return sorted(ids(backend.persistence.get_list_by_ids(CID, ['4', 'unknown', '2'])))


@scenario('get_list_by_ids of no ids', DEFECT, fake=[], database=Raised('SyntaxError'),
          note='the databases send IN () to the server')
def get_list_by_ids_of_no_ids(backend: ParityBackend) -> Any:
    return backend.persistence.get_list_by_ids(CID, [])


@scenario('delete_by_ids removes the given ids', SAME, fake=['1', '3', '5'])
def delete_by_ids_removes_them(backend: ParityBackend) -> Any:
    backend.persistence.delete_by_ids(CID, ['2', 'unknown', '4'])
    return ids(listed(backend, None, BY_ID))


@scenario('delete_by_ids of no ids', DEFECT, fake=5, database=Raised('SyntaxError'),
          note='the databases send IN () to the server')
def delete_by_ids_of_no_ids(backend: ParityBackend) -> Any:
    backend.persistence.delete_by_ids(CID, [])
    return count(backend)


# ---------------------------------------------------------------------------------------------
# Paging

@scenario('a page without total', BY_DESIGN, fake=[['1', '2'], 5], database=[['1', '2'], None],
          strict=[['1', '2'], None], note='the databases count only when paging asks for the total')
def a_page_without_total(backend: ParityBackend) -> Any:
    found = page(backend, None, PagingParams(0, 2), BY_NAME)
    return [ids(found.data), found.total]


@scenario('a page asking for the total', SAME, fake=[['2', '3'], 5])
def a_page_with_total(backend: ParityBackend) -> Any:
    found = page(backend, None, PagingParams(1, 2, True), BY_NAME)
    return [ids(found.data), found.total]


@scenario('a page without paging parameters', BY_DESIGN, fake=[['1', '2', '3'], 5],
          database=[['1', '2', '3'], None], strict=[['1', '2', '3'], None],
          note='max_page_size (3) applies on every backend; only the fake fills in the total')
def a_page_without_paging(backend: ParityBackend) -> Any:
    found = page(backend, None, None, BY_NAME)
    return [ids(found.data), found.total]


@scenario('the total counts the filtered items', SAME, fake=[['1'], 3])
def the_total_counts_the_filtered_items(backend: ParityBackend) -> Any:
    found = page(backend, ACTIVE, PagingParams(0, 1, True), BY_NAME)
    return [ids(found.data), found.total]


@scenario('a page past the end', SAME, fake=[[], 5])
def a_page_past_the_end(backend: ParityBackend) -> Any:
    found = page(backend, None, PagingParams(10, 2, True), BY_NAME)
    return [ids(found.data), found.total]


@scenario('a negative skip counts as 0', SAME, fake=['1', '2'])
def a_negative_skip(backend: ParityBackend) -> Any:
    return ids(page(backend, None, PagingParams(-3, 2), BY_NAME).data)


@scenario('a take above max_page_size is capped', SAME, fake=['1', '2', '3'])
def a_take_above_the_maximum(backend: ParityBackend) -> Any:
    return ids(page(backend, None, PagingParams(0, 10), BY_NAME).data)


@scenario('a negative take gives an empty page', SAME, fake=[])
def a_negative_take(backend: ParityBackend) -> Any:
    return ids(page(backend, None, PagingParams(0, -1), BY_NAME).data)


@scenario('lists are not capped by max_page_size', SAME, fake=5)
def lists_are_not_capped(backend: ParityBackend) -> Any:
    return len(listed(backend, None))


# ---------------------------------------------------------------------------------------------
# Sorting

@scenario('sort by one field', SAME, fake=['2', '4', '1', '5', '3'])
def sort_by_one_field(backend: ParityBackend) -> Any:
    return ids(listed(backend, None, BY_RANK))


@scenario('sort descending', SAME, fake=['5', '4', '3', '2', '1'])
def sort_descending(backend: ParityBackend) -> Any:
    return ids(listed(backend, None, BY_NAME_DESCENDING))


@scenario('sort by two fields', SAME, fake=['1', '5', '3', '2', '4'])
def sort_by_two_fields(backend: ParityBackend) -> Any:
    return ids(listed(backend, None, ACTIVE_FIRST_THEN_BY_RANK))


@scenario('a None value in an ascending sort', BY_DESIGN, fake='first', table='last',
          note='SQL NULL sorts last ascending; JSON null and the fake sort it first')
def a_none_value_in_a_sort(backend: ParityBackend) -> Any:
    backend.persistence.create(CID, Gadget('6', 'fan'))
    order = ids(listed(backend, None, BY_RANK_PARAMS))
    return 'first' if order[0] == '6' else 'last' if order[-1] == '6' else order


@scenario('an unsorted read after inserts', SAME, fake=['1', '2', '3', '4', '5'],
          strict=AnyOrder(['1', '2', '3', '4', '5']),
          note='insertion order on every backend, promised by none: the strict mode does not keep it')
def an_unsorted_read_after_inserts(backend: ParityBackend) -> Any:
    return ids(listed(backend, None))


@scenario('an unsorted read after an update', BY_DESIGN, fake=['1', '2', '3', '4', '5'],
          database=['2', '3', '4', '5', '1'], strict=AnyOrder(['1', '2', '3', '4', '5']),
          note='PostgreSQL moves an updated row to the end')
def an_unsorted_read_after_an_update(backend: ParityBackend) -> Any:
    backend.persistence.update(CID, Gadget('1', 'anvil-2', 3, 9.5, True))
    return ids(listed(backend, None))


# ---------------------------------------------------------------------------------------------
# Filtering, projection, random

@scenario('get_list_by_filter with a filter', SAME, fake=['1', '3', '5'])
def a_filtered_list(backend: ParityBackend) -> Any:
    return ids(listed(backend, ACTIVE, BY_ID))


@scenario('get_count_by_filter', SAME, fake=[3, 5])
def get_count_by_filter(backend: ParityBackend) -> Any:
    count_matches = backend.persistence.get_count_by_filter
    return [count_matches(CID, backend.spell(ACTIVE)), count_matches(CID, None)]


@scenario('a page matching nothing', SAME, fake=[[], 0])
def a_page_matching_nothing(backend: ParityBackend) -> Any:
    found = page(backend, NOTHING, PagingParams(0, 3, True))
    return [ids(found.data), found.total]


@scenario('delete_by_filter removes the matches', SAME, fake=['2', '4'])
def delete_by_filter_removes_the_matches(backend: ParityBackend) -> Any:
    backend.persistence.delete_by_filter(CID, backend.spell(ACTIVE))
    return ids(listed(backend, None, BY_ID))


@scenario('delete_by_filter without a filter removes everything', SAME, fake=0)
def delete_by_filter_without_a_filter(backend: ParityBackend) -> Any:
    backend.persistence.delete_by_filter(CID, None)
    return count(backend)


@scenario('a projection', SAME, fake=[['anvil', False], ['bolt', False], ['clamp', False]])
def a_projection(backend: ParityBackend) -> Any:
    found = page(backend, None, PagingParams(0, 3), BY_NAME, NAME_ONLY)
    return [[item.name, hasattr(item, 'id')] for item in found.data]


@scenario('get_one_random picks among the matches', SAME, fake='3')
def get_one_random_among_matches(backend: ParityBackend) -> Any:
    return backend.persistence.get_one_random(CID, backend.spell(NAMED_CLAMP)).id


@scenario('get_one_random with nothing matching', SAME, fake=None)
def get_one_random_of_nothing(backend: ParityBackend) -> Any:
    return backend.persistence.get_one_random(CID, backend.spell(NOTHING))


@scenario('get_one_random without a filter', SAME, fake=True)
def get_one_random_without_a_filter(backend: ParityBackend) -> Any:
    return backend.persistence.get_one_random(CID, None).id in {'1', '2', '3', '4', '5'}


# ---------------------------------------------------------------------------------------------
# update_partially

@scenario('update_partially changes the given fields only', SAME, fake=['bolt-2', 1, 0.25])
def update_partially_changes_given_fields(backend: ParityBackend) -> Any:
    returned = backend.persistence.update_partially(CID, '2', AnyValueMap({'name': 'bolt-2'}))
    stored = by_id(backend, '2')
    return [returned.name, stored.rank, stored.price]


@scenario('update_partially with a plain dict', DEFECT, fake='bolt-2', json=Raised('AttributeError'),
          note='the JSON persistence calls AnyValueMap.get_as_object on the data')
def update_partially_with_a_dict(backend: ParityBackend) -> Any:
    backend.persistence.update_partially(CID, '2', {'name': 'bolt-2'})
    return by_id(backend, '2').name


@scenario('update_partially of an unknown id', SAME, fake=[None, 5])
def update_partially_of_an_unknown_id(backend: ParityBackend) -> Any:
    return [backend.persistence.update_partially(CID, 'unknown', AnyValueMap({'name': 'x'})), count(backend)]


@scenario('update_partially with an id in the data', DEFECT, fake=[['2', 'x'], False],
          json=[['7', 'x'], False], table=[None, True],
          note='the table persistence renames the row; the JSON one stores an id that disagrees with its key')
def update_partially_with_an_id(backend: ParityBackend) -> Any:
    backend.persistence.update_partially(CID, '2', AnyValueMap({'id': '7', 'name': 'x'}))
    stored = by_id(backend, '2')
    return [None if stored is None else [stored.id, stored.name], by_id(backend, '7') is not None]


# ---------------------------------------------------------------------------------------------
# Duplicates

@scenario('create with an id already stored', BY_DESIGN, fake=6, database=Raised('UniqueViolation'),
          strict=Raised('ConflictException'),
          note="a primary key refuses it; the databases' error is the raw driver's, without a correlation id")
def create_a_duplicate(backend: ParityBackend) -> Any:
    backend.persistence.create(CID, Gadget('2', 'bolt again'))
    return count(backend)


@scenario('a refused or appended duplicate leaves the stored item', SAME, fake='bolt')
def a_duplicate_leaves_the_stored_item(backend: ParityBackend) -> Any:
    try:
        backend.persistence.create(CID, Gadget('2', 'bolt again'))
    except Exception:  # refused or not, the scenario looks at what is stored afterwards
        pass
    return by_id(backend, '2').name


# ---------------------------------------------------------------------------------------------
# What items come back as

@scenario('items returned by reads and writes', BY_DESIGN, fake=[[True, False, True]],
          database=[[False, False, False]], strict=[[False, False, False]],
          note="the fake returns the caller's class; the databases return records with attributes only")
def items_returned(backend: ParityBackend) -> Any:
    persistence = backend.persistence
    returned = [persistence.create(CID, Gadget('6', 'fan', 7)), by_id(backend, '1'),
                page(backend, None, PagingParams(0, 1), BY_NAME).data[0], listed(backend, None)[0],
                persistence.update(CID, Gadget('2', 'bolt-2')), persistence.delete_by_id(CID, '3')]
    shapes = [shape(item) for item in returned]
    return [list(distinct) for distinct in sorted({tuple(each) for each in shapes})]


@scenario('items returned after a restart', BY_DESIGN, fake=[True, False, True], file=[False, True, False],
          database=[False, False, False], strict=[False, False, False],
          note='the file store, without item_type, gives back dicts that also allow attributes')
def items_returned_after_a_restart(backend: ParityBackend) -> Any:
    return shape(backend.reopen().get_one_by_id(CID, '1'))


@scenario('create with a dict item', DEFECT, fake='fan', database=Raised('AttributeError'),
          note='the databases read item.id, which a dict does not have')
def create_with_a_dict(backend: ParityBackend) -> Any:
    backend.persistence.create(CID, {'id': '6', 'name': 'fan'})
    return by_id(backend, '6').name


@scenario('changing a returned item changes nothing stored', SAME, fake='anvil')
def changing_a_returned_item(backend: ParityBackend) -> Any:
    by_id(backend, '1').name = 'changed'
    return by_id(backend, '1').name


# ---------------------------------------------------------------------------------------------
# Value types, read back after a restart

@scenario('numbers, booleans, strings and None after a restart', SAME,
          fake=[['str', 'fan'], ['int', 7], ['float', 2.5], ['bool', False], ['NoneType', None]])
def plain_values_after_a_restart(backend: ParityBackend) -> Any:
    backend.persistence.create(CID, Gadget('6', 'fan', 7, 2.5, False))
    stored = backend.reopen().get_one_by_id(CID, '6')
    return [[type(value).__name__, value] for value in (stored.name, stored.rank, stored.price, stored.active,
                                                          stored.details)]


@scenario('nested dicts and lists after a restart', BY_DESIGN, fake={'sizes': [1, 2], 'colour': 'red'},
          table=Raised('ProgrammingError'),
          note='a table column needs the service to convert nested values (psycopg2 cannot adapt a dict)')
def nested_values_after_a_restart(backend: ParityBackend) -> Any:
    backend.persistence.create(CID, Gadget('6', 'fan', details={'sizes': [1, 2], 'colour': 'red'}))
    return backend.reopen().get_one_by_id(CID, '6').details


@scenario('a datetime after a restart', BY_DESIGN, fake='datetime', file='str', json=Raised('TypeError'),
          note='JSON has no datetime: the file store writes ISO 8601 text, the JSON persistence fails')
def a_datetime_after_a_restart(backend: ParityBackend) -> Any:
    backend.persistence.create(CID, Gadget('6', 'fan', made=datetime(2024, 5, 6, 7, 8, 9)))
    return type(backend.reopen().get_one_by_id(CID, '6').made).__name__
