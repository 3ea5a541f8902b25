"""The beacons service as a container assembles it: the YAML configuration chooses the persistence."""

from pip_services3_commons.refer import Descriptor
from pip_services3_container import Container

from .BeaconsFactory import BeaconsFactory
from .IBeaconsPersistence import IBeaconsPersistence


class BeaconsContainer(Container):
    """Builds, configures and opens the components its configuration lists, with :class:`BeaconsFactory`.

    ``config/beacons-file.yml`` and ``config/beacons-postgres.yml`` configure the same service on
    a JSON file and on PostgreSQL; they differ in the persistence's descriptor and in its
    ``path`` giving way to ``connection`` and ``credential``. The code is the same for both.
    Needs ``pip install pip-services3-container``.
    """

    def __init__(self) -> None:
        super().__init__('beacons', 'Beacons microservice')
        self.add_factory(BeaconsFactory())

    def persistence(self) -> IBeaconsPersistence:
        """The persistence the configuration chose; the container must be open."""
        persistence: IBeaconsPersistence = self._references.get_one_required(
            Descriptor('beacons', 'persistence', '*', '*', '1.0'))
        return persistence
