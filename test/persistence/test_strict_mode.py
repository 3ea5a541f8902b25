"""options.strict: the fake fails wherever both database persistences would (issue 14).

The parity suite (test/parity) runs every scenario on the strict backends next to a real
PostgreSQL; these tests pin each strict rule on its own, on the memory and the file backend.
"""

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import PagingParams
from pip_services3_commons.errors import ConflictException

from pip_services3_data.persistence import IdentifiableMemoryPersistence


class Gadget:
    def __init__(self, id, name):
        self.id = id
        self.name = name

    def label(self):
        return self.name.upper()


@pytest.fixture
def strict(backend):
    persistence = backend.open('identifiable')
    persistence.configure(ConfigParams.from_tuples('options.strict', True))
    for number in range(1, 4):
        persistence.create(None, Gadget(str(number), 'gadget %d' % number))
    return persistence


def test_a_page_has_a_total_only_when_paging_asks_for_it(strict):
    assert strict.get_page_by_filter(None, None, PagingParams()).total is None
    assert strict.get_page_by_filter(None, None, None).total is None
    assert strict.get_page_by_filter(None, None, PagingParams(total=True)).total == 3


def test_reads_without_a_sort_do_not_follow_insertion(strict):
    inserted = ['1', '2', '3']

    assert [item.id for item in strict.get_list_by_filter(None, None)] != inserted
    assert [item.id for item in strict.get_page_by_filter(None, None, None).data] != inserted
    assert [item.id for item in strict.get_list_by_ids(None, inserted)] != inserted
    assert [item.id for item in strict.get_list_by_filter(None, None, sort=lambda item: item.id)] == inserted


def test_items_come_back_as_records_with_attributes_only(strict):
    returned = [strict.get_one_by_id(None, '1'), strict.get_list_by_filter(None, None)[0],
                strict.get_one_random(None), strict.create(None, Gadget('4', 'new')),
                strict.update(None, Gadget('4', 'newer')), strict.update_partially(None, '4', {'name': 'x'}),
                strict.delete_by_id(None, '4')]

    for item in returned:
        assert not isinstance(item, Gadget)
        assert not hasattr(item, 'label')
        with pytest.raises(TypeError):
            item['id']
    assert returned[0].name == 'gadget 1'


def test_create_with_a_stored_id_is_a_conflict(strict):
    with pytest.raises(ConflictException):
        strict.create(None, Gadget('1', 'again'))

    assert strict.get_count_by_filter(None, None) == 3


def test_the_default_mode_is_unchanged():
    persistence = IdentifiableMemoryPersistence()
    for number in range(1, 4):
        persistence.create(None, Gadget(str(number), 'gadget'))
    persistence.create(None, Gadget('1', 'duplicate'))

    assert [item.id for item in persistence.get_list_by_filter(None, None)] == ['1', '2', '3', '1']
    assert persistence.get_page_by_filter(None, None, None).total == 4
    assert isinstance(persistence.get_one_by_id(None, '2'), Gadget)
