"""The backends of the parity suite, the item they store, and how a query is spelled for each.

A backend is one persistence class reached through the calls all of them share:

- ``memory``, ``file``: this library's ``IdentifiableMemoryPersistence`` and
  ``IdentifiableFilePersistence`` in their default mode, configured the way a container does it.
- ``postgres-json``, ``postgres-table``: pip-services3-postgres's ``IdentifiableJsonPostgresPersistence``
  (an ``id`` column and the item as JSONB in ``data``) and ``IdentifiablePostgresPersistence``
  (one column per field), on the real server the ``postgres_server`` fixture starts.
- ``memory-strict``, ``file-strict``: the same as ``memory`` and ``file`` with
  ``options.strict: true`` (issue 14, SPEC §8). Their expected outcomes are written down in
  every scenario.

Every backend is configured with ``options.max_page_size`` 3 and seeded with the five
:data:`SEED` gadgets, so that paging limits show in every scenario that pages.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

from pip_services3_commons.config import ConfigParams
from postgres_server import require_postgres_client

require_postgres_client()

from pip_services3_postgres.persistence import IdentifiableJsonPostgresPersistence, IdentifiablePostgresPersistence

from pip_services3_data.persistence import IdentifiableFilePersistence, IdentifiableMemoryPersistence
from postgres_server import PostgresServer

STRICT_BACKENDS = ['memory-strict', 'file-strict']
ACTIVE_BACKENDS = ['memory', 'file', *STRICT_BACKENDS, 'postgres-json', 'postgres-table']
ALL_BACKENDS = ACTIVE_BACKENDS
POSTGRES_BACKENDS = ['postgres-json', 'postgres-table']

MAX_PAGE_SIZE = 3

# The language each backend takes filters, sorts and projections in.
LANGUAGES = {
    'memory': 'function', 'file': 'function', 'memory-strict': 'function', 'file-strict': 'function',
    'postgres-json': 'json_sql', 'postgres-table': 'table_sql',
}


class Gadget:
    """The stored item: an object with attributes, the shape every backend accepts, and a method."""

    def __init__(self, id: Optional[str] = None, name: Optional[str] = None, rank: Optional[int] = None,
                 price: Optional[float] = None, active: Optional[bool] = None,
                 details: Optional[Any] = None, made: Optional[datetime] = None) -> None:
        self.id = id
        self.name = name
        self.rank = rank
        self.price = price
        self.active = active
        self.details = details
        self.made = made

    def describe(self) -> str:
        return f'{self.name} #{self.rank}'


SEED = [
    Gadget('1', 'anvil', 3, 9.5, True),
    Gadget('2', 'bolt', 1, 0.25, False),
    Gadget('3', 'clamp', 5, 4.0, True),
    Gadget('4', 'drill', 2, 60.0, False),
    Gadget('5', 'etcher', 4, 120.0, True),
]


@dataclass(frozen=True)
class Spelled:
    """One filter, sort or projection in each backend's own language.

    :param function: for this library: a filter function, a sort key or ``SortParams``, a
        projection function.
    :param table_sql: for ``IdentifiablePostgresPersistence``: SQL over the table's columns.
    :param json_sql: for ``IdentifiableJsonPostgresPersistence``: SQL over the ``data`` JSONB column.
    """

    function: Any
    table_sql: str
    json_sql: str


class GadgetsJsonPostgresPersistence(IdentifiableJsonPostgresPersistence):
    def __init__(self) -> None:
        super().__init__('parity_gadgets_json')

    def _define_schema(self) -> None:
        self._clear_schema()
        self._ensure_table()


class GadgetsTablePostgresPersistence(IdentifiablePostgresPersistence):
    def __init__(self) -> None:
        super().__init__('parity_gadgets')

    def _define_schema(self) -> None:
        self._clear_schema()
        self._ensure_schema(
            'CREATE TABLE IF NOT EXISTS "parity_gadgets" ("id" TEXT PRIMARY KEY, "name" TEXT, "rank" INTEGER, '
            '"price" DOUBLE PRECISION, "active" BOOLEAN, "details" JSONB, "made" TIMESTAMP)')


class ParityBackend:
    """One backend, opened empty, configured, seeded with :data:`SEED`; ``persistence`` is ready to use.

    :param name: one of :data:`ALL_BACKENDS`.
    :param folder: where the file backends keep their file.
    :param server: the PostgreSQL server, for the postgres backends.
    """

    def __init__(self, name: str, folder: Path, server: Optional[PostgresServer] = None) -> None:
        self.name = name
        self.language = LANGUAGES[name]
        self._path = folder / 'gadgets.json'
        self._server = server
        self._opened: List[Any] = []
        self.persistence = self._open()
        if name in POSTGRES_BACKENDS:
            self.persistence.clear(None)  # the tables outlive a test; the other backends start empty
        for gadget in SEED:
            self.persistence.create(None, gadget)

    def spell(self, spelled: Optional[Spelled]) -> Any:
        """The filter, sort or projection in this backend's language (``None`` stays ``None``)."""
        return None if spelled is None else getattr(spelled, self.language)

    def reopen(self) -> Any:
        """The persistence as a restarted service sees it: a new instance over the same data.

        Memory data lives as long as its instance, so memory backends return the same one.
        """
        if self.name.startswith('memory'):
            return self.persistence
        return self._open()

    def close(self) -> None:
        for persistence in self._opened:
            persistence.close(None)

    def _open(self) -> Any:
        persistence = self._build()
        persistence.configure(self._config())
        persistence.open(None)
        self._opened.append(persistence)
        return persistence

    def _build(self) -> Any:
        builders: Dict[str, Any] = {
            'memory': IdentifiableMemoryPersistence, 'memory-strict': IdentifiableMemoryPersistence,
            'file': IdentifiableFilePersistence, 'file-strict': IdentifiableFilePersistence,
            'postgres-json': GadgetsJsonPostgresPersistence, 'postgres-table': GadgetsTablePostgresPersistence,
        }
        return builders[self.name]()

    def _config(self) -> ConfigParams:
        config = ConfigParams.from_tuples('options.max_page_size', MAX_PAGE_SIZE)
        if self.name.endswith('-strict'):
            config = config.override(ConfigParams.from_tuples('options.strict', True))
        if self.name.startswith('file'):
            config = config.override(ConfigParams.from_tuples('path', str(self._path)))
        if self.name in POSTGRES_BACKENDS:
            assert self._server is not None, 'a postgres backend needs the server'
            config = config.override(self._server.connection_config())
        return config
