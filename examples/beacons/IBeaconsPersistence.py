"""The contract of the beacons persistence, which the service's controller is written against."""

from typing import Optional

from pip_services3_commons.data import DataPage, FilterParams, PagingParams, SortParams

from pip_services3_data import IGetter, IWriter

from .BeaconV1 import BeaconV1


class IBeaconsPersistence(IGetter, IWriter):
    """Stores beacons; every method takes the caller's correlation id first.

    An interface in the Pip.Services way: a class whose methods raise
    :class:`NotImplementedError`. The persistences below list it among their bases, before or
    after the library class that implements most of it.
    """

    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams], sort: Optional[SortParams] = None) -> DataPage:
        """Gets a page of beacons, sorted by site and udi unless ``sort`` says otherwise.

        :param filter: (optional) any of ``id``, ``site_id``, ``label``, ``udi`` (exact
            matches) and ``udis`` (a comma-separated list of udis, any of which matches).
        :param paging: (optional) ``skip``, ``take``, and ``total`` to have the matches counted
            (the memory and file persistences always count them).
        :param sort: (optional) the fields to sort by.
        :return: copies of the beacons on the page, and how many beacons match in all.
        """
        raise NotImplementedError('Method from interface definition')

    def get_one_by_id(self, correlation_id: Optional[str], id: str) -> Optional[BeaconV1]:
        """Gets a copy of the beacon with ``id``, or ``None``."""
        raise NotImplementedError('Method from interface definition')

    def get_one_by_udi(self, correlation_id: Optional[str], udi: str) -> Optional[BeaconV1]:
        """Gets a copy of the beacon that broadcasts ``udi``, or ``None``."""
        raise NotImplementedError('Method from interface definition')

    def create(self, correlation_id: Optional[str], item: BeaconV1) -> BeaconV1:
        """Stores a copy of a new beacon, giving it an id when it has none; returns the stored copy."""
        raise NotImplementedError('Method from interface definition')

    def update(self, correlation_id: Optional[str], item: BeaconV1) -> Optional[BeaconV1]:
        """Replaces the beacon with the id of ``item``; ``None`` when there is no such beacon."""
        raise NotImplementedError('Method from interface definition')

    def delete_by_id(self, correlation_id: Optional[str], id: str) -> Optional[BeaconV1]:
        """Deletes the beacon with ``id`` and returns it; ``None`` when there is no such beacon."""
        raise NotImplementedError('Method from interface definition')

