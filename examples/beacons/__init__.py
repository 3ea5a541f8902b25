"""A small beacons service's persistence layer, built on pip-services3-data.

- :class:`BeaconV1`: the data, a dataclass.
- :class:`IBeaconsPersistence`: the interface the service's controller uses.
- :class:`BeaconsMemoryPersistence` and :class:`BeaconsFilePersistence`: two implementations
  that differ only in where the beacons live; both read the same ``FilterParams``
  (see :func:`compose_filter`).
- ``BeaconsPostgresPersistence`` (its own module, not imported here: it needs
  pip-services3-postgres): the same interface on PostgreSQL, for a service that outgrows one machine.
- :class:`BeaconsFactory` and ``BeaconsContainer`` (its own module: it needs
  pip-services3-container): the service assembled from YAML (``config/``), where moving from the
  file to PostgreSQL is a change of descriptor and a connection section.

Run the demo from the repository root with ``python -m examples.beacons``.
"""

from .BeaconV1 import BeaconTypeV1, BeaconV1
from .beacons_filter import DEFAULT_SORT, compose_filter
from .BeaconsFactory import BeaconsFactory
from .BeaconsFilePersistence import BeaconsFilePersistence
from .BeaconsMemoryPersistence import BeaconsMemoryPersistence
from .IBeaconsPersistence import IBeaconsPersistence

__all__ = [
    'BeaconTypeV1', 'BeaconV1', 'DEFAULT_SORT', 'compose_filter', 'IBeaconsPersistence',
    'BeaconsMemoryPersistence', 'BeaconsFilePersistence', 'BeaconsFactory',
]
