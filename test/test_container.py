"""The persistences run inside a real pip-services3-container, wired from YAML the way services run.

A service declares its components by descriptor in a YAML file and registers their classes in
a ``Factory``; the container builds each one with no constructor arguments, configures it
from its YAML section, hands it the references (loggers among them) and opens it, then closes
everything in reverse. These tests do that with a memory and a file persistence subclass and a
logger of their own that records what it receives.
"""

import json
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

import pytest
from pip_services3_commons.config import ConfigParams
from pip_services3_commons.data import DataPage, FilterParams, PagingParams
from pip_services3_commons.refer import Descriptor, IReferences
from pip_services3_components.build import Factory
from pip_services3_components.log import Logger, LogLevel

from pip_services3_data.persistence import IdentifiableFilePersistence, IdentifiableMemoryPersistence
from support import why_the_container_cannot_be_imported

CONTAINER_IMPORT_FAILURE = why_the_container_cannot_be_imported()
if CONTAINER_IMPORT_FAILURE is not None:
    pytest.skip(CONTAINER_IMPORT_FAILURE, allow_module_level=True)

from pip_services3_container import Container  # noqa: E402  (only where it imports)

CORRELATION_ID = 'container-test-42'
SECRET = 'a note only its author may read'
LOGGER = Descriptor('notes', 'logger', 'recording', 'default', '1.0')
MEMORY_PERSISTENCE = Descriptor('notes', 'persistence', 'memory', 'default', '1.0')
FILE_PERSISTENCE = Descriptor('notes', 'persistence', 'file', 'default', '1.0')

CONFIG_YAML = """\
- descriptor: "notes:logger:recording:default:1.0"
  level: trace

- descriptor: "notes:persistence:{{PERSISTENCE_KIND}}:default:1.0"
  path: "{{DATA_PATH}}"
  options:
    max_page_size: 3
"""


class RecordingLogger(Logger):
    """Keeps every message at or below its configured level, for the test to read."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: List[Tuple[LogLevel, Optional[str], str]] = []

    def _write(self, level: LogLevel, correlation_id: Optional[str], error: Optional[Exception],
               message: Optional[str]) -> None:
        if level <= self.get_level():
            self.messages.append((level, correlation_id, message or ''))

    def traces(self) -> List[Tuple[Optional[str], str]]:
        return [(correlation_id, message) for level, correlation_id, message in self.messages
                if level == LogLevel.Trace]


def notes_filter(filter: Optional[FilterParams]) -> Callable[[Any], bool]:
    author = (filter or FilterParams()).get_as_nullable_string('author')
    return lambda note: author is None or note.author == author


class NotesMemoryPersistence(IdentifiableMemoryPersistence):
    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams]) -> DataPage:
        return super().get_page_by_filter(correlation_id, notes_filter(filter), paging)


class NotesFilePersistence(IdentifiableFilePersistence):
    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams]) -> DataPage:
        return super().get_page_by_filter(correlation_id, notes_filter(filter), paging)


class NotesFactory(Factory):
    """Creates the service's components by descriptor, as a service's own factory does."""

    def __init__(self) -> None:
        super().__init__()
        self.register_as_type(LOGGER, RecordingLogger)
        self.register_as_type(MEMORY_PERSISTENCE, NotesMemoryPersistence)
        self.register_as_type(FILE_PERSISTENCE, NotesFilePersistence)


class NotesContainer(Container):
    """A container that keeps its references, so the test can look components up by descriptor."""

    references: Optional[IReferences] = None

    def __init__(self) -> None:
        super().__init__('notes', 'Notes service for the container tests')
        self.add_factory(NotesFactory())

    def set_references(self, references: IReferences) -> None:
        # The container calls this with its own references when it opens.
        self.references = references

    def get_component(self, descriptor: Descriptor) -> Any:
        assert self.references is not None, 'the container is not open'
        return self.references.get_one_required(descriptor)


def start_container(config_path: Path, kind: str, data_path: Path) -> NotesContainer:
    container = NotesContainer()
    parameters = ConfigParams.from_tuples('PERSISTENCE_KIND', kind, 'DATA_PATH', str(data_path))
    container.read_config_from_file(CORRELATION_ID, str(config_path), parameters)
    container.open(CORRELATION_ID)
    return container


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / 'config.yml'
    path.write_text(CONFIG_YAML, encoding='utf-8')
    return path


def use_persistence(persistence: Any) -> None:
    """What a service does in its first run: create notes, read a page, update one."""
    for number in range(5):
        author = 'ann' if number % 2 == 0 else 'bob'
        persistence.create(CORRELATION_ID, {'id': f'note-{number}', 'author': author, 'text': SECRET})

    page = persistence.get_page_by_filter(CORRELATION_ID, None, PagingParams(0, 10, True))
    assert [note.id for note in page.data] == ['note-0', 'note-1', 'note-2']  # capped by max_page_size: 3
    assert page.total == 5

    anns = persistence.get_page_by_filter(CORRELATION_ID, FilterParams.from_tuples('author', 'ann'), None)
    assert [note.id for note in anns.data] == ['note-0', 'note-2', 'note-4'] and anns.total == 3

    note = persistence.get_one_by_id(CORRELATION_ID, 'note-1')
    note.text = 'edited'
    assert persistence.update(CORRELATION_ID, note).text == 'edited'


@pytest.mark.parametrize('kind, descriptor, persistence_type', [
    ('memory', MEMORY_PERSISTENCE, NotesMemoryPersistence),
    ('file', FILE_PERSISTENCE, NotesFilePersistence),
])
def test_a_container_builds_configures_references_and_opens_the_persistence(
        config_path: Path, tmp_path: Path, kind: str, descriptor: Descriptor, persistence_type: type) -> None:
    container = start_container(config_path, kind, tmp_path / 'notes.json')
    persistence = container.get_component(descriptor)

    assert type(persistence) is persistence_type
    assert persistence.is_open()
    use_persistence(persistence)

    container.close(CORRELATION_ID)
    assert not persistence.is_open()


def test_a_second_container_finds_what_the_first_one_saved_in_the_file(
        config_path: Path, tmp_path: Path) -> None:
    data_path = tmp_path / 'data' / 'notes.json'
    first = start_container(config_path, 'file', data_path)
    use_persistence(first.get_component(FILE_PERSISTENCE))
    first.close(CORRELATION_ID)

    saved = json.loads(data_path.read_text(encoding='utf-8'))
    assert [note['id'] for note in saved] == [f'note-{number}' for number in range(5)]

    second = start_container(config_path, 'file', data_path)
    persistence = second.get_component(FILE_PERSISTENCE)
    assert persistence is not first.get_component(FILE_PERSISTENCE)
    page = persistence.get_page_by_filter(CORRELATION_ID, None, PagingParams(3, 10))
    assert page.total == 5
    assert [note.id for note in page.data] == ['note-3', 'note-4']
    assert persistence.get_one_by_id(CORRELATION_ID, 'note-1').text == 'edited'
    assert persistence.get_one_by_id(CORRELATION_ID, 'note-2').author == 'ann'  # attribute access after reload
    second.close(CORRELATION_ID)


def test_a_second_container_starts_a_memory_persistence_empty(config_path: Path, tmp_path: Path) -> None:
    data_path = tmp_path / 'notes.json'
    first = start_container(config_path, 'memory', data_path)
    use_persistence(first.get_component(MEMORY_PERSISTENCE))
    first.close(CORRELATION_ID)

    second = start_container(config_path, 'memory', data_path)
    assert second.get_component(MEMORY_PERSISTENCE).get_page_by_filter(CORRELATION_ID, None, None).total == 0
    second.close(CORRELATION_ID)
    assert not data_path.exists()  # the memory persistence ignores the path it is configured with


@pytest.mark.parametrize('kind', ['memory', 'file'])
def test_the_persistence_traces_to_the_referenced_logger_with_the_correlation_id(
        config_path: Path, tmp_path: Path, kind: str) -> None:
    container = start_container(config_path, kind, tmp_path / 'notes.json')
    logger = container.get_component(LOGGER)
    persistence = container.get_component(Descriptor('notes', 'persistence', kind, 'default', '1.0'))
    use_persistence(persistence)
    container.close(CORRELATION_ID)

    traces = logger.traces()
    assert any('note-0' in message and message.startswith('Created') for _, message in traces)
    assert any('note-1' in message and message.startswith('Updated') for _, message in traces)
    assert {correlation_id for correlation_id, _ in traces} == {CORRELATION_ID}
    # Ids and counts only: the content of an item can be personal data.
    assert not any(SECRET in message for _, _, message in logger.messages)
