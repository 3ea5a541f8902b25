"""Beacons kept in memory and in a JSON file that every write replaces atomically."""

from typing import Optional

from pip_services3_commons.data import DataPage, FilterParams, PagingParams, SortParams

from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister

from .BeaconV1 import BeaconV1
from .beacons_filter import DEFAULT_SORT, compose_filter
from .IBeaconsPersistence import IBeaconsPersistence


class BeaconsFilePersistence(IBeaconsPersistence, IdentifiableFilePersistence[BeaconV1, str]):
    """Implements :class:`IBeaconsPersistence` over one JSON file.

    The interface comes first among the bases here (and last in
    :class:`BeaconsMemoryPersistence`): either order works, the library's implementations are
    used, not the interface's stubs. Beacons load from the file as :class:`BeaconV1` objects.

    ### Configuration parameters ###
        - path: the path of the JSON file
        - options:
            - max_page_size: the largest number of beacons a page holds (default: 100)
    """

    def __init__(self, path: Optional[str] = None) -> None:
        """Creates a closed persistence; ``path`` can also be configured, as a container does."""
        super().__init__(JsonFilePersister(path, BeaconV1))

    # Takes FilterParams where the library's method takes a filter function: a narrower
    # signature, which type checkers report as an incompatible override.
    def get_page_by_filter(  # type: ignore[override]
            self, correlation_id: Optional[str], filter: Optional[FilterParams],
            paging: Optional[PagingParams], sort: Optional[SortParams] = None) -> DataPage:
        # At run time super() reaches the library's method, wherever the interface is listed; a
        # type checker follows the bases as written and sees the interface's signature first.
        matches, order = compose_filter(filter), sort or DEFAULT_SORT
        return super().get_page_by_filter(correlation_id, matches, paging, order)  # type: ignore[arg-type]

    def get_one_by_udi(self, correlation_id: Optional[str], udi: str) -> Optional[BeaconV1]:
        beacons = super().get_list_by_filter(correlation_id, lambda beacon: beacon.udi == udi)
        return beacons[0] if beacons else None
