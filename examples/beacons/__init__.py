"""A small beacons service's persistence layer, built on pip-services3-data.

- :class:`BeaconV1`: the data, a dataclass.
- :class:`IBeaconsPersistence`: the interface the service's controller uses.
- :class:`BeaconsMemoryPersistence` and :class:`BeaconsFilePersistence`: two implementations
  that differ only in where the beacons live; both read the same ``FilterParams``
  (see :func:`compose_filter`).

Run the demo from the repository root with ``python -m examples.beacons``.
"""

from .BeaconV1 import BeaconTypeV1, BeaconV1
from .beacons_filter import DEFAULT_SORT, compose_filter
from .BeaconsFilePersistence import BeaconsFilePersistence
from .BeaconsMemoryPersistence import BeaconsMemoryPersistence
from .IBeaconsPersistence import IBeaconsPersistence

__all__ = [
    'BeaconTypeV1', 'BeaconV1', 'DEFAULT_SORT', 'compose_filter', 'IBeaconsPersistence',
    'BeaconsMemoryPersistence', 'BeaconsFilePersistence',
]
