"""Creates the beacons persistences by descriptor, as a container configured from YAML asks for them."""

from typing import Any

from pip_services3_commons.refer import Descriptor
from pip_services3_components.build import Factory

from .BeaconsFilePersistence import BeaconsFilePersistence
from .BeaconsMemoryPersistence import BeaconsMemoryPersistence


class BeaconsFactory(Factory):
    """Knows the three persistences; the YAML configuration names the one a deployment uses."""

    MemoryPersistenceDescriptor = Descriptor('beacons', 'persistence', 'memory', '*', '1.0')
    FilePersistenceDescriptor = Descriptor('beacons', 'persistence', 'file', '*', '1.0')
    PostgresPersistenceDescriptor = Descriptor('beacons', 'persistence', 'postgres', '*', '1.0')

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # not annotated in pip-services3-components
        self.register_as_type(self.MemoryPersistenceDescriptor, BeaconsMemoryPersistence)
        self.register_as_type(self.FilePersistenceDescriptor, BeaconsFilePersistence)
        self.register(self.PostgresPersistenceDescriptor, _create_postgres_persistence)


def _create_postgres_persistence(locator: Any) -> Any:
    # Imported when asked for: only a deployment configured for PostgreSQL needs its driver.
    from .BeaconsPostgresPersistence import BeaconsPostgresPersistence
    return BeaconsPostgresPersistence()
