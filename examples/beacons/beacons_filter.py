"""How the beacons persistences read their ``FilterParams``, shared by the memory and file variants."""

from typing import Callable, List, Optional

from pip_services3_commons.data import FilterParams, SortField, SortParams

from .BeaconV1 import BeaconV1

DEFAULT_SORT = SortParams(SortField('site_id'), SortField('udi'))
"""The order of pages when the caller gives none: by site, then by udi."""


def compose_filter(filter: Optional[FilterParams]) -> Callable[[BeaconV1], bool]:
    """Turns filter parameters into a function telling whether a beacon matches all of them.

    ``id``, ``site_id``, ``label`` and ``udi`` must be equal; ``udis`` is a comma-separated list
    (``FilterParams`` stores a list as exactly that) of which the beacon's udi must be one.
    Absent parameters match everything.
    """
    filter = filter if filter is not None else FilterParams()
    beacon_id = filter.get_as_nullable_string('id')
    site_id = filter.get_as_nullable_string('site_id')
    label = filter.get_as_nullable_string('label')
    udi = filter.get_as_nullable_string('udi')
    udis = split_list(filter.get_as_nullable_string('udis'))

    def matches(beacon: BeaconV1) -> bool:
        return ((beacon_id is None or beacon.id == beacon_id)
                and (site_id is None or beacon.site_id == site_id)
                and (label is None or beacon.label == label)
                and (udi is None or beacon.udi == udi)
                and (udis is None or beacon.udi in udis))

    return matches


def split_list(text: Optional[str]) -> Optional[List[str]]:
    """The entries of a comma-separated list, stripped, empty ones left out; ``None`` for ``None``."""
    if text is None:
        return None
    return [entry.strip() for entry in text.split(',') if entry.strip()]
