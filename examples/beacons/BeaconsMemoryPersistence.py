"""Beacons kept in memory: the persistence for tests, demos and small deployments."""

from typing import Optional

from pip_services3_commons.data import DataPage, FilterParams, PagingParams, SortParams

from pip_services3_data.persistence import IdentifiableMemoryPersistence

from .BeaconV1 import BeaconV1
from .beacons_filter import DEFAULT_SORT, compose_filter
from .IBeaconsPersistence import IBeaconsPersistence


class BeaconsMemoryPersistence(IdentifiableMemoryPersistence[BeaconV1, str], IBeaconsPersistence):
    """Implements :class:`IBeaconsPersistence` in memory.

    CRUD by id comes from :class:`IdentifiableMemoryPersistence`; this class adds the queries.

    ### Configuration parameters ###
        - options:
            - max_page_size: the largest number of beacons a page holds (default: 100)
    """

    # Takes FilterParams where the library's method takes a filter function: a narrower
    # signature, which type checkers report as an incompatible override.
    def get_page_by_filter(  # type: ignore[override]
            self, correlation_id: Optional[str], filter: Optional[FilterParams],
            paging: Optional[PagingParams], sort: Optional[SortParams] = None) -> DataPage:
        matches, order = compose_filter(filter), sort or DEFAULT_SORT
        return super().get_page_by_filter(correlation_id, matches, paging, order)

    def get_one_by_udi(self, correlation_id: Optional[str], udi: str) -> Optional[BeaconV1]:
        beacons = super().get_list_by_filter(correlation_id, lambda beacon: beacon.udi == udi)
        return beacons[0] if beacons else None
