"""Items, counting loaders and savers, a service persistence and a logger shared by the tests.

The fixtures that hand these out are in ``conftest.py``; tests import the classes from here.
"""

import json
import platform
import traceback
from pathlib import Path
from typing import Any, Dict, List, Optional

from pip_services3_commons.data import FilterParams
from pip_services3_components.log import Logger, LogLevel

from pip_services3_data import ILoader, ISaver
from pip_services3_data.persistence import (IdentifiableFilePersistence, IdentifiableMemoryPersistence,
                                            JsonFilePersister)

# ---------------------------------------------------------------------------------------------
# Packages outside this project


def why_the_container_cannot_be_imported() -> Optional[str]:
    """Why ``pip_services3_container`` fails to import on this interpreter; ``None`` when it imports.

    Only a failure raised inside another pip-services package is a reason: the container not
    being installed, or failing in this project's code, raises instead.
    """
    try:
        import pip_services3_container  # noqa: F401
    except Exception as error:
        if isinstance(error, ModuleNotFoundError) and error.name == 'pip_services3_container':
            raise
        culprits = [part for frame in traceback.extract_tb(error.__traceback__)
                    for part in Path(frame.filename).parts if part.startswith('pip_services3_')]
        if not culprits or culprits[-1] == 'pip_services3_data':
            raise
        interpreter = f'{platform.python_implementation()} {platform.python_version()}'
        return (f'pip_services3_container does not import on {interpreter}: {culprits[-1]} '
                f'raises {type(error).__name__}: {error}')
    return None


# ---------------------------------------------------------------------------------------------
# Items


class Dummy:
    """A data class written the way services write theirs: attributes set in ``__init__``."""

    def __init__(self, id: Any = None, key: Any = None, content: Any = None):
        self.id = id
        self.key = key
        self.content = content


def all_items(persistence: Any) -> List[Any]:
    """Every stored item, as copies, in stored order."""
    return persistence.get_list_by_filter(None, None)


def open_file_persistence(path: Any, item_type: Optional[type] = None) -> IdentifiableFilePersistence:
    """An opened identifiable file persistence on ``path``."""
    persistence = IdentifiableFilePersistence(JsonFilePersister(str(path), item_type))
    persistence.open(None)
    return persistence


def fields_of(item: Any) -> Dict[str, Any]:
    """The fields of an item of either shape as a plain dict, to compare items of both shapes."""
    if isinstance(item, dict):
        return dict(item)
    return dict(vars(item))


def ids_of(items: List[Any]) -> List[Any]:
    return [fields_of(item).get('id') for item in items]


def keys_of(items: List[Any]) -> List[Any]:
    return [fields_of(item).get('key') for item in items]


# ---------------------------------------------------------------------------------------------
# Loaders and savers that count their calls and can be told to fail


class CountingMemoryStorage(ILoader, ISaver):
    """Keeps what it was last given as JSON text, counts loads and saves, raises ``failure`` on save."""

    def __init__(self, items: Optional[List[Any]] = None):
        self.loads = 0
        self.saves = 0
        self.failure: Optional[BaseException] = None
        self._content = json.dumps(items or [])

    def load(self, correlation_id: Optional[str]) -> List[Any]:
        self.loads += 1
        return json.loads(self._content)

    def save(self, correlation_id: Optional[str], items: List[Any]) -> None:
        if self.failure is not None:
            raise self.failure
        self.saves += 1
        self._content = json.dumps(items, default=vars)

    def stored(self) -> List[Any]:
        """What the data source holds now, as JSON values."""
        return json.loads(self._content)


class CountingFilePersister(JsonFilePersister):
    """A ``JsonFilePersister`` that counts loads and saves and raises ``failure`` on save."""

    def __init__(self, path: Optional[str] = None, item_type: Optional[type] = None):
        super().__init__(path, item_type)
        self.loads = 0
        self.saves = 0
        self.failure: Optional[BaseException] = None

    def load(self, correlation_id: Optional[str]) -> List[Any]:
        self.loads += 1
        return super().load(correlation_id)

    def save(self, correlation_id: Optional[str], items: List[Any]) -> None:
        if self.failure is not None:
            raise self.failure
        self.saves += 1
        super().save(correlation_id, items)

    def stored(self) -> List[Any]:
        """What the file holds now, as JSON values."""
        path = Path(self.path)
        return json.loads(path.read_text(encoding='utf-8')) if path.exists() else []


# ---------------------------------------------------------------------------------------------
# A service persistence written the way the released services (beacons samples) write theirs:
# narrow public overrides taking FilterParams, attribute-based filter closures, and a file
# variant that assigns its loader and saver after super().__init__().


class DummyMemoryPersistence(IdentifiableMemoryPersistence):
    def __init__(self):
        super(DummyMemoryPersistence, self).__init__()

    def __compose_filter(self, filter):
        filter = filter if filter is not None else FilterParams()
        key = filter.get_as_nullable_string('key')
        content = filter.get_as_nullable_string('content')

        def filter_dummies(item):
            if key is not None and item.key != key:
                return False
            if content is not None and item.content != content:
                return False
            return True

        return filter_dummies

    def get_page_by_filter(self, correlation_id, filter, paging):
        return super().get_page_by_filter(correlation_id, self.__compose_filter(filter), paging, None, None)

    def get_list_by_filter(self, correlation_id, filter):
        return super().get_list_by_filter(correlation_id, self.__compose_filter(filter), None, None)

    def get_count_by_key(self, correlation_id, key):
        return super().get_count_by_filter(correlation_id, lambda item: item.key == key)


class DummyFilePersistence(DummyMemoryPersistence):
    def __init__(self, path=None):
        super(DummyFilePersistence, self).__init__()
        self._persister = JsonFilePersister(path)
        self._loader = self._persister
        self._saver = self._persister

    def configure(self, config):
        super(DummyFilePersistence, self).configure(config)
        self._persister.configure(config)


# ---------------------------------------------------------------------------------------------
# Logging


class RecordingLogger(Logger):
    """A logger that keeps every message it receives, at every level."""

    def __init__(self):
        super().__init__()
        self.set_level(LogLevel.Trace)
        self.messages: List[tuple] = []

    def _write(self, level, correlation_id, error, message):
        self.messages.append((level, correlation_id, message, error))

    def lines(self) -> List[str]:
        """Every message as one line of text: correlation id, message and error."""
        return [f'{correlation_id} {message} {error}' for _, correlation_id, message, error in self.messages]


# ---------------------------------------------------------------------------------------------
# Files


def file_state(path: Any) -> Optional[tuple]:
    """The content, inode and modification time of a file, or ``None`` when it does not exist:
    equal states mean the file was neither written nor replaced."""
    path = Path(path)
    if not path.exists():
        return None
    status = path.stat()
    return path.read_bytes(), status.st_ino, status.st_mtime_ns
