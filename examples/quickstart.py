"""Quick start: a persistence for your own data type, in memory and in a JSON file.

Run it with ``python examples/quickstart.py``; it prints what each step returns.
"""

import os
import tempfile
from typing import Any, Callable, Optional

from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import DataPage, FilterParams, PagingParams, SortField, SortParams

from pip_services3_data.persistence import IdentifiableFilePersistence, IdentifiableMemoryPersistence


class Beacon:
    """A data item: any object with an ``id`` attribute (or a dict with an ``'id'`` key)."""

    def __init__(self, id: Optional[str], site_id: str, udi: str, radius: float) -> None:
        self.id = id
        self.site_id = site_id
        self.udi = udi
        self.radius = radius


def compose_filter(filter: Optional[FilterParams]) -> Callable[[Any], bool]:
    """Turns the service's filter parameters into a function of one stored item."""
    filter = filter or FilterParams()
    site_id = filter.get_as_nullable_string('site_id')
    udi = filter.get_as_nullable_string('udi')

    def matches(beacon: Any) -> bool:
        return (site_id is None or beacon.site_id == site_id) and (udi is None or beacon.udi == udi)

    return matches


class BeaconsMemoryPersistence(IdentifiableMemoryPersistence):
    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams]) -> DataPage:
        by_udi = SortParams(SortField('udi'))
        return super().get_page_by_filter(correlation_id, compose_filter(filter), paging, by_udi)


class BeaconsFilePersistence(IdentifiableFilePersistence):
    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams]) -> DataPage:
        return super().get_page_by_filter(correlation_id, compose_filter(filter), paging)


def main() -> None:
    memory = BeaconsMemoryPersistence()
    memory.configure(ConfigParams.from_tuples('options.max_page_size', 10))
    memory.open('quickstart')
    for udi in ['00003', '00001', '00002']:
        created = memory.create('quickstart', Beacon(None, 'site-1', udi, 50.0))
        print('created', created.udi, 'with generated id', created.id)
    memory.create('quickstart', {'id': 'b-4', 'site_id': 'site-2', 'udi': '00004', 'radius': 70.0})

    page = memory.get_page_by_filter('quickstart', FilterParams.from_tuples('site_id', 'site-1'),
                                     PagingParams(0, 2, True))
    print('page of', len(page.data), 'of', page.total, 'beacons of site-1:', [beacon.udi for beacon in page.data])

    returned = memory.get_one_by_id('quickstart', 'b-4')
    returned.radius = 1.0  # a copy: the stored beacon keeps its radius until written back
    print('stored radius is still', memory.get_one_by_id('quickstart', 'b-4').radius)
    print('after update_partially:', memory.update_partially('quickstart', 'b-4', {'radius': 80.0}).radius)
    memory.close('quickstart')

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, 'beacons.json')
        config = ConfigParams.from_tuples('path', path)
        stored = BeaconsFilePersistence()
        stored.configure(config)
        stored.open('quickstart')
        stored.create('quickstart', Beacon('b-1', 'site-1', '00001', 50.0))
        stored.close('quickstart')

        reopened = BeaconsFilePersistence()
        reopened.configure(config)
        reopened.open('quickstart')
        beacon = reopened.get_one_by_id('quickstart', 'b-1')
        print('reloaded from', os.path.basename(path), '->', beacon.udi, beacon.radius)
        reopened.close('quickstart')


if __name__ == '__main__':
    main()
