"""Bad input gets a clear error naming what was wrong, and nothing stored is lost or changed."""

from dataclasses import dataclass

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import FilterParams, PagingParams, SortField, SortParams
from pip_services3_commons.errors import BadRequestException, ConfigException

from support import Dummy, fields_of


@dataclass(frozen=True)
class FrozenNote:
    id: object
    text: str


def stored_fields(persistence):
    return [fields_of(item) for item in persistence.get_list_by_filter(None, None)]


@pytest.fixture
def filled(persistence):
    persistence.create(None, Dummy('1', 'a', 'x'))
    persistence.create(None, {'id': '2', 'key': 7, 'content': 'y'})
    return persistence


@pytest.mark.parametrize('write', ['create', 'set', 'update'])
def test_storing_none_is_a_bad_request_and_changes_nothing(filled, reopen, write):
    before = stored_fields(filled)

    with pytest.raises(BadRequestException) as raised:
        getattr(filled, write)(None, None)

    assert raised.value.code == 'NO_ITEM'
    assert stored_fields(filled) == before
    assert stored_fields(reopen()) == before


def test_an_item_whose_id_cannot_be_set_is_a_bad_request(filled, reopen):
    before = stored_fields(filled)

    with pytest.raises(BadRequestException) as raised:
        filled.create(None, FrozenNote(None, 'no id and no way to set one'))

    assert raised.value.code == 'ID_NOT_SETTABLE'
    assert 'FrozenNote' in raised.value.message
    assert stored_fields(reopen()) == before


@pytest.mark.parametrize('query', ['page', 'list', 'count', 'random', 'delete'])
def test_a_filter_that_is_not_a_function_is_a_bad_request(filled, reopen, query):
    """Services that forget to turn their FilterParams into a function get told so."""
    before = stored_fields(filled)
    not_a_function = FilterParams.from_tuples('key', 'a')
    calls = {
        'page': lambda: filled.get_page_by_filter(None, not_a_function, PagingParams()),
        'list': lambda: filled.get_list_by_filter(None, not_a_function),
        'count': lambda: filled.get_count_by_filter(None, not_a_function),
        'random': lambda: filled.get_one_random(None, not_a_function),
        'delete': lambda: filled.delete_by_filter(None, not_a_function),
    }

    with pytest.raises(BadRequestException) as raised:
        calls[query]()

    assert raised.value.code == 'INVALID_FILTER'
    assert 'FilterParams' in raised.value.message
    assert stored_fields(reopen()) == before


def test_a_sort_that_is_neither_a_function_nor_sort_params_is_a_bad_request(filled):
    with pytest.raises(BadRequestException) as raised:
        filled.get_list_by_filter(None, None, 'key')

    assert raised.value.code == 'INVALID_SORT'
    assert 'str' in raised.value.message


def test_values_that_cannot_be_compared_are_a_sort_failure_not_a_type_error(filled):
    """Item 1 has the key 'a', item 2 the key 7: a str and an int cannot be ordered."""
    with pytest.raises(BadRequestException) as raised:
        filled.get_page_by_filter(None, None, PagingParams(), SortParams(SortField('key')))

    assert raised.value.code == 'SORT_FAILED'
    assert raised.value.cause is not None


def test_sorting_never_reorders_the_store_even_when_it_fails(filled):
    before = stored_fields(filled)

    with pytest.raises(BadRequestException):
        filled.get_list_by_filter(None, None, lambda item: item.key)

    assert stored_fields(filled) == before


@pytest.mark.parametrize('value', ['0', '-5', 'many'])
def test_a_max_page_size_below_one_or_not_a_number_is_a_config_error(filled, value):
    with pytest.raises(ConfigException) as raised:
        filled.configure(ConfigParams.from_tuples('options.max_page_size', value))

    assert raised.value.code == 'INVALID_MAX_PAGE_SIZE'
    assert repr(value) in raised.value.message
    assert filled._max_page_size == 100
