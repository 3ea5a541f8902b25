"""A short demo of the beacons persistences: ``python -m examples.beacons`` from the repository root.

It runs the same queries on the memory and on the file persistence, then reopens the file.
The file lives in a temporary directory that is removed at the end.
"""

import os
import tempfile
from typing import List

from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import FilterParams, PagingParams, SortField, SortParams

from . import BeaconsFilePersistence, BeaconsMemoryPersistence, BeaconTypeV1, BeaconV1, IBeaconsPersistence

CORRELATION_ID = 'beacons-demo'

SAMPLE_BEACONS = [
    BeaconV1(site_id='site-1', type=BeaconTypeV1.iBeacon, udi='00003', label='Lobby',
             center={'type': 'Point', 'coordinates': [-122.41, 37.77]}, radius=30.0),
    BeaconV1(site_id='site-1', type=BeaconTypeV1.AltBeacon, udi='00001', label='Entrance',
             center={'type': 'Point', 'coordinates': [-122.42, 37.77]}, radius=50.0),
    BeaconV1(site_id='site-2', type=BeaconTypeV1.EddyStone, udi='00004', label='Dock',
             center={'type': 'Point', 'coordinates': [-0.12, 51.50]}, radius=80.0),
    BeaconV1(site_id='site-1', type=BeaconTypeV1.iBeacon, udi='00002', label='Cafeteria',
             center={'type': 'Point', 'coordinates': [-122.40, 37.78]}, radius=20.0),
]


def labels(beacons: List[BeaconV1]) -> str:
    return ', '.join(f'{beacon.udi} {beacon.label}' for beacon in beacons)


def show_queries(persistence: IBeaconsPersistence) -> None:
    """What the service's controller does, written against the interface only."""
    for beacon in SAMPLE_BEACONS:
        # The persistence stores a copy with a new id; the sample keeps its id None for the next run.
        persistence.create(CORRELATION_ID, beacon)
    print(f'  created {len(SAMPLE_BEACONS)} beacons, each with a generated id')

    site_1 = FilterParams.from_tuples('site_id', 'site-1')
    for skip in (0, 2):
        page = persistence.get_page_by_filter(CORRELATION_ID, site_1, PagingParams(skip, 2, True))
        print(f'  site-1, skip {skip}: {labels(page.data)} ({len(page.data)} of {page.total})')

    by_udis = persistence.get_page_by_filter(
        CORRELATION_ID, FilterParams.from_tuples('udis', '00002,00004'), None)
    print(f'  udis 00002,00004: {labels(by_udis.data)}')

    widest_first = persistence.get_page_by_filter(
        CORRELATION_ID, None, PagingParams(0, 2), SortParams(SortField('radius', False)))
    print(f'  widest two: {labels(widest_first.data)}')

    lobby = persistence.get_one_by_udi(CORRELATION_ID, '00003')
    assert lobby is not None and lobby.id is not None
    lobby.label = 'Main lobby'  # a copy: the stored beacon changes only when written back
    persistence.update(CORRELATION_ID, lobby)
    stored = persistence.get_one_by_id(CORRELATION_ID, lobby.id)
    print(f'  renamed 00003 to {stored.label if stored else None!r}')

    dock = persistence.get_one_by_udi(CORRELATION_ID, '00004')
    assert dock is not None and dock.id is not None
    deleted = persistence.delete_by_id(CORRELATION_ID, dock.id)
    remaining = persistence.get_page_by_filter(CORRELATION_ID, None, None)
    print(f'  deleted {deleted.label if deleted else None}; {remaining.total} beacons left')


def show_file_persistence(path: str) -> None:
    print(f'In {os.path.basename(path)}:')
    # Configured the way a container configures it from YAML.
    config = ConfigParams.from_tuples('path', path, 'options.max_page_size', 100)
    persistence = BeaconsFilePersistence()
    persistence.configure(config)
    persistence.open(CORRELATION_ID)
    show_queries(persistence)
    persistence.close(CORRELATION_ID)

    reopened = BeaconsFilePersistence()
    reopened.configure(config)
    reopened.open(CORRELATION_ID)
    beacon = reopened.get_one_by_udi(CORRELATION_ID, '00003')
    total = reopened.get_page_by_filter(CORRELATION_ID, None, None).total
    print(f'  reopened: {total} beacons; 00003 is {beacon.label if beacon else None!r}, '
          f'a {type(beacon).__name__}')
    reopened.close(CORRELATION_ID)


def main() -> None:
    print('In memory:')
    memory = BeaconsMemoryPersistence()
    memory.open(CORRELATION_ID)
    show_queries(memory)
    memory.close(CORRELATION_ID)

    with tempfile.TemporaryDirectory() as directory:
        show_file_persistence(os.path.join(directory, 'beacons.json'))


if __name__ == '__main__':
    main()
