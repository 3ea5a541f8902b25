"""Shared fixtures: every behaviour rule is proven on the memory and on the file backend.

The fixtures hand out persistences that are already open:

- ``persistence``: an ``IdentifiableMemoryPersistence``, or an ``IdentifiableFilePersistence``
  on ``tmp_path / 'items.json'``; ``reopen()`` gives a fresh instance on the same file, opened,
  as after a restart (for memory, the same instance: its data lives as long as the process).
- ``plain_persistence`` / ``reopen_plain``: the same over ``MemoryPersistence`` / ``FilePersistence``.
- ``service`` / ``reopen_service``: a persistence written the way released services write theirs
  (beacons-sample style, see ``support.py``), on memory and on file.
- ``backend.open(SomeSubclass)``: a test's own subclass, opened on the backend.
- ``counted`` / ``plain_counted`` with ``storage``: persistences whose loader and saver count
  their calls and can be told to fail (memory: an in-memory store; file: a ``JsonFilePersister``).
- ``postgres_server``: a real PostgreSQL server for the whole run (``postgres_server.py``),
  started on first use. Under CI (``CI`` set) a missing PostgreSQL fails the tests that need
  it; elsewhere they are skipped, with the reason.

Items come in two shapes, ``Dummy`` objects and plain dicts: ``make_item``.
"""

from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest
from pip_services3_commons.refer import Descriptor, References

from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister,
    MemoryPersistence,
)
from pip_services3_data.persistence._item_store import ItemStore
from postgres_server import PostgresServer, require_server_binaries, running_postgres_server
from support import (
    CountingFilePersister, CountingMemoryStorage, Dummy, DummyFilePersistence, DummyMemoryPersistence,
    RecordingLogger,
)

BACKENDS = ['memory', 'file']
ITEM_SHAPES = ['object', 'dict']


@pytest.fixture(autouse=True)
def verified_id_index(monkeypatch):
    """Every lookup by id compares the index with the items and fails the test on a difference,
    instead of rebuilding the index: a bookkeeping bug cannot hide behind a repair."""
    monkeypatch.setattr(ItemStore, 'verify_index', True)


@pytest.fixture(params=ITEM_SHAPES)
def item_shape(request) -> str:
    return request.param


@pytest.fixture
def make_item(item_shape) -> Callable[..., Any]:
    """``make_item(id=..., key=..., content=...)``: a ``Dummy`` or a plain dict, by ``item_shape``.

    Fields left out are absent from a dict; a ``Dummy`` has them as ``None``.
    """
    def make(**fields: Any) -> Any:
        return dict(fields) if item_shape == 'dict' else Dummy(**fields)
    return make


class Backend:
    """Builds open persistences of one kind; for a file, every ``open(role)`` is a new instance."""

    def __init__(self, kind: str, path: Path):
        self.kind = kind
        self.path = path
        self.storage: Any = None
        self._memory_instances: Dict[str, Any] = {}

    def open(self, role: Any) -> Any:
        """Opens a persistence: ``role`` names one of the fixtures' kinds, or is a subclass of
        ``MemoryPersistence`` / ``IdentifiableMemoryPersistence``, built with no saver for memory
        and with a ``JsonFilePersister`` as loader and saver for file."""
        if self.kind == 'memory' and role in self._memory_instances:
            return self._memory_instances[role]
        persistence = self._build_subclass(role) if isinstance(role, type) else self._build(role)
        persistence.open(None)
        if self.kind == 'memory':
            self._memory_instances[role] = persistence
        return persistence

    def _build_subclass(self, persistence_class: type) -> Any:
        if self.kind == 'memory':
            return persistence_class()
        persister = JsonFilePersister(str(self.path))
        return persistence_class(persister, persister)

    def _build(self, role: str) -> Any:
        path = str(self.path)
        if self.kind == 'memory':
            if role in ('counted', 'plain_counted'):
                self.storage = CountingMemoryStorage()
            return {
                'identifiable': lambda: IdentifiableMemoryPersistence(),
                'plain': lambda: MemoryPersistence(),
                'service': lambda: DummyMemoryPersistence(),
                'counted': lambda: IdentifiableMemoryPersistence(self.storage, self.storage),
                'plain_counted': lambda: MemoryPersistence(self.storage, self.storage),
            }[role]()
        if role in ('counted', 'plain_counted'):
            self.storage = CountingFilePersister(path)
        return {
            'identifiable': lambda: IdentifiableFilePersistence(JsonFilePersister(path)),
            'plain': lambda: FilePersistence(JsonFilePersister(path)),
            'service': lambda: DummyFilePersistence(path),
            'counted': lambda: IdentifiableFilePersistence(self.storage),
            'plain_counted': lambda: FilePersistence(self.storage),
        }[role]()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    return Backend(request.param, tmp_path / 'items.json')


@pytest.fixture
def persistence(backend) -> IdentifiableMemoryPersistence:
    return backend.open('identifiable')


@pytest.fixture
def reopen(backend, persistence) -> Callable[[], IdentifiableMemoryPersistence]:
    return lambda: backend.open('identifiable')


@pytest.fixture
def plain_persistence(backend) -> MemoryPersistence:
    return backend.open('plain')


@pytest.fixture
def reopen_plain(backend, plain_persistence) -> Callable[[], MemoryPersistence]:
    return lambda: backend.open('plain')


@pytest.fixture
def service(backend) -> DummyMemoryPersistence:
    return backend.open('service')


@pytest.fixture
def reopen_service(backend, service) -> Callable[[], DummyMemoryPersistence]:
    return lambda: backend.open('service')


@pytest.fixture
def counted(backend) -> IdentifiableMemoryPersistence:
    return backend.open('counted')


@pytest.fixture
def plain_counted(backend) -> MemoryPersistence:
    return backend.open('plain_counted')


@pytest.fixture
def storage(backend, request):
    """The counting loader and saver behind ``counted`` or ``plain_counted``, whichever the test uses."""
    role = 'plain_counted' if 'plain_counted' in request.fixturenames else 'counted'
    request.getfixturevalue(role)
    return backend.storage


@pytest.fixture
def recording_logger() -> RecordingLogger:
    return RecordingLogger()


@pytest.fixture
def logger_references(recording_logger) -> References:
    """References holding ``recording_logger``, for ``set_references``."""
    return References.from_tuples(Descriptor('test', 'logger', 'recording', 'default', '1.0'), recording_logger)


@pytest.fixture(scope='session')
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started from the OS package for the whole run, stopped and removed at its end."""
    with running_postgres_server(require_server_binaries()) as server:
        yield server
