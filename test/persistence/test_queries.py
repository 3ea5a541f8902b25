"""Queries over any persistence: filter, sort, page, select, count, a random item, delete by filter.

Every rule here holds for ``MemoryPersistence`` and ``FilePersistence`` alike (``plain_persistence``).
"""

import random

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import FilterParams, PagingParams, SortField, SortParams
from pip_services3_commons.errors import BadRequestException

from support import Dummy, all_items, fields_of, keys_of


def add_items(persistence, *rows, make_item=Dummy):
    """Creates one item per ``(key, content)`` row, in order."""
    for key, content in rows:
        persistence.create(None, make_item(key=key, content=content))


def key_and_content(items):
    return [(fields_of(item)['key'], fields_of(item)['content']) for item in items]


# ---------------------------------------------------------------------------------------------
# Filter, sort, page, select


def test_a_page_holds_the_matching_items_and_their_total(plain_persistence):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3))

    page = plain_persistence.get_page_by_filter(None, lambda item: item.key == 'a', PagingParams())

    assert isinstance(page.data, list)
    assert key_and_content(page.data) == [('a', 1), ('a', 3)]
    assert page.total == 2 and type(page.total) is int


def test_a_sort_key_function_sorts_ascending_and_stable_and_filters_nothing(plain_persistence):
    """3.2.3 passed ``sort`` to ``filter()``: pages came back unsorted and without the items
    whose sort key was falsy."""
    add_items(plain_persistence, ('b', 1), ('', 2), ('a', 3), ('b', 4), ('a', 5))

    page = plain_persistence.get_page_by_filter(None, None, None, lambda item: item.key)

    assert key_and_content(page.data) == [('', 2), ('a', 3), ('a', 5), ('b', 1), ('b', 4)]
    assert page.total == 5


def test_sort_params_sort_by_several_fields_of_either_item_shape(plain_persistence, make_item):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3), ('b', 1), ('c', 2), make_item=make_item)
    sort = SortParams(SortField('content', False), SortField('key', True))

    page = plain_persistence.get_page_by_filter(None, None, None, sort)

    assert key_and_content(page.data) == [('a', 3), ('b', 2), ('c', 2), ('a', 1), ('b', 1)]


def test_sort_params_keep_the_stored_order_of_equal_items_both_ways(plain_persistence):
    add_items(plain_persistence, ('b', 1), ('a', 2), ('b', 3), ('a', 4))

    ascending = plain_persistence.get_list_by_filter(None, None, SortParams(SortField('key', True)))
    descending = plain_persistence.get_list_by_filter(None, None, SortParams(SortField('key', False)))

    assert [item.content for item in ascending] == [2, 4, 1, 3]
    assert [item.content for item in descending] == [1, 3, 2, 4]


def test_sorting_never_reorders_the_stored_items_even_when_it_fails(plain_persistence):
    add_items(plain_persistence, ('c', 1), ('a', 2), ('b', 3))
    plain_persistence.get_list_by_filter(None, None, SortParams(SortField('key', False)))
    plain_persistence.create(None, Dummy(key=7, content=4))

    with pytest.raises(BadRequestException):
        plain_persistence.get_list_by_filter(None, None, lambda item: item.key)

    assert keys_of(plain_persistence._items) == ['c', 'a', 'b', 7]
    assert keys_of(all_items(plain_persistence)) == ['c', 'a', 'b', 7]


@pytest.mark.parametrize('skip, take, expected', [
    (None, None, [0, 1, 2, 3, 4]),
    (1, 2, [1, 2]),
    (-3, 2, [0, 1]),
    (4, 10, [4]),
    (0, -1, []),
], ids=['none', 'skip-take', 'negative-skip', 'past-the-end', 'negative-take'])
def test_paging_skips_and_takes_and_the_total_counts_every_match(plain_persistence, skip, take, expected):
    """A negative take gives an empty page: 3.2.3 read it as 0, then skipped paging and
    returned every item."""
    add_items(plain_persistence, *[('key', number) for number in range(5)])

    page = plain_persistence.get_page_by_filter(None, None, PagingParams(skip, take))

    assert [item.content for item in page.data] == expected
    assert page.total == 5


def test_a_page_never_holds_more_than_the_max_page_size(plain_persistence):
    plain_persistence.configure(ConfigParams.from_tuples('options.max_page_size', 3))
    add_items(plain_persistence, *[('key', number) for number in range(5)])

    unpaged = plain_persistence.get_page_by_filter(None, None, None)
    asked_for_more = plain_persistence.get_page_by_filter(None, None, PagingParams(1, 10))

    assert [item.content for item in unpaged.data] == [0, 1, 2] and unpaged.total == 5
    assert [item.content for item in asked_for_more.data] == [1, 2, 3] and asked_for_more.total == 5


def test_select_projects_each_item_of_a_page_or_a_list(plain_persistence):
    """3.2.3 made the page data a ``map`` and took its ``len()``: any ``select`` crashed a page."""
    add_items(plain_persistence, ('c', 1), ('a', 2), ('b', 3), ('d', 4))

    def not_d(item):
        return item.key != 'd'

    def upper_key(item):
        return item.key.upper()

    page = plain_persistence.get_page_by_filter(None, not_d, PagingParams(), lambda item: item.key, upper_key)
    listed = plain_persistence.get_list_by_filter(None, not_d, lambda item: item.key, upper_key)

    assert page.data == ['A', 'B', 'C'] and page.total == 3
    assert listed == ['A', 'B', 'C']


def test_the_count_is_the_number_of_matching_items(plain_persistence):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3))

    assert plain_persistence.get_count_by_filter(None, lambda item: item.key == 'a') == 2
    assert plain_persistence.get_count_by_filter(None, None) == 3
    assert plain_persistence.get_count_by_filter(None, lambda item: False) == 0


# ---------------------------------------------------------------------------------------------
# get_one_random


def test_a_random_item_is_drawn_uniformly_among_the_matches_with_or_without_a_filter(plain_persistence):
    """3.2.3 required a filter, and drew an index among all items instead of the matching ones,
    raising IndexError."""
    random.seed(20240601)
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3), ('a', 4), ('b', 5))

    filtered = [plain_persistence.get_one_random(None, lambda item: item.key == 'a').content for _ in range(300)]
    unfiltered = {plain_persistence.get_one_random(None).content for _ in range(100)}

    assert set(filtered) == {1, 3, 4}
    assert min(filtered.count(content) for content in (1, 3, 4)) > 50
    assert unfiltered == {1, 2, 3, 4, 5}


def test_no_random_item_when_nothing_matches(plain_persistence):
    assert plain_persistence.get_one_random(None) is None

    add_items(plain_persistence, ('a', 1))

    assert plain_persistence.get_one_random(None, lambda item: item.key == 'z') is None


# ---------------------------------------------------------------------------------------------
# delete_by_filter


def test_delete_by_filter_removes_the_matching_items_and_none_removes_all(plain_persistence, reopen_plain):
    add_items(plain_persistence, ('a', 1), ('b', 2), ('a', 3))

    result = plain_persistence.delete_by_filter(None, lambda item: item.key == 'a')

    assert result is None
    assert keys_of(all_items(plain_persistence)) == ['b']
    assert keys_of(all_items(reopen_plain())) == ['b']

    plain_persistence.delete_by_filter(None, None)

    assert all_items(plain_persistence) == []
    assert all_items(reopen_plain()) == []


# ---------------------------------------------------------------------------------------------
# Filters and sorts that are not what they should be


def test_a_filter_that_is_not_a_function_is_a_bad_request_that_changes_nothing(plain_persistence, reopen_plain):
    """Services that forget to turn their FilterParams into a function get told so."""
    add_items(plain_persistence, ('a', 1))
    not_a_function = FilterParams.from_tuples('key', 'a')
    queries = {
        'page': lambda: plain_persistence.get_page_by_filter(None, not_a_function, PagingParams()),
        'list': lambda: plain_persistence.get_list_by_filter(None, not_a_function),
        'count': lambda: plain_persistence.get_count_by_filter(None, not_a_function),
        'random': lambda: plain_persistence.get_one_random(None, not_a_function),
        'delete': lambda: plain_persistence.delete_by_filter(None, not_a_function),
    }

    for name, query in queries.items():
        with pytest.raises(BadRequestException) as raised:
            query()
        assert raised.value.code == 'INVALID_FILTER', name
        assert 'FilterParams' in raised.value.message, name

    assert keys_of(all_items(reopen_plain())) == ['a']


@pytest.mark.parametrize('paging', [{'skip': 0, 'take': 10}, 10, 'skip=0'])
def test_paging_that_is_not_paging_params_is_a_bad_request(plain_persistence, paging):
    """3.3.0 raised a raw AttributeError from inside the page bounds."""
    add_items(plain_persistence, ('a', 1))

    with pytest.raises(BadRequestException) as raised:
        plain_persistence.get_page_by_filter(None, None, paging)

    assert raised.value.code == 'INVALID_PAGING'
    assert type(paging).__name__ in raised.value.message


def test_a_sort_that_is_neither_a_function_nor_sort_params_is_a_bad_request(plain_persistence):
    with pytest.raises(BadRequestException) as raised:
        plain_persistence.get_list_by_filter(None, None, 'key')

    assert raised.value.code == 'INVALID_SORT'
    assert 'str' in raised.value.message


def test_values_that_cannot_be_compared_are_a_sort_failure_not_a_type_error(plain_persistence):
    add_items(plain_persistence, ('a', 1), (7, 2))

    with pytest.raises(BadRequestException) as raised:
        plain_persistence.get_page_by_filter(None, None, PagingParams(), SortParams(SortField('key')))

    assert raised.value.code == 'SORT_FAILED'
    assert raised.value.cause is not None
