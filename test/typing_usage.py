"""A typed service's persistence layer, written as a user would: ``test_typing.py`` runs mypy on it.

Not collected as tests (no ``test_`` prefix). It shows what type-checks under ``mypy --strict``:

- subscript the persistences with the item type and the id type,
  ``IdentifiableMemoryPersistence[Note, str]``, and reads return ``Note`` / ``Optional[Note]``;
- a service interface may come before or after the persistence class among the bases;
- narrowing ``get_page_by_filter`` to the service's own ``(correlation_id, filter, paging)``
  is the Pip.Services convention, but it is an incompatible override for a type checker (the
  library's version takes a filter function, a sort and a projection): say so with
  ``# type: ignore[override]``.

Each ``reveal_type`` line states the type mypy must reveal; the test compares them.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional

from pip_services3_commons.data import DataPage, FilterParams, PagingParams

from pip_services3_data import IGetter, IWriter
from pip_services3_data.persistence import (
    IdentifiableFilePersistence, IdentifiableMemoryPersistence, JsonFilePersister, MemoryPersistence,
)


@dataclass
class Note:
    id: Optional[str] = None
    author: str = ''
    text: str = ''


class INotesPersistence(IGetter, IWriter):
    def get_page_by_filter(self, correlation_id: Optional[str], filter: Optional[FilterParams],
                           paging: Optional[PagingParams]) -> DataPage:
        raise NotImplementedError('Method from interface definition')

    def get_one_by_id(self, correlation_id: Optional[str], id: str) -> Optional[Note]:
        raise NotImplementedError('Method from interface definition')

    def get_by_author(self, correlation_id: Optional[str], author: str) -> List[Note]:
        raise NotImplementedError('Method from interface definition')


class NotesMemoryPersistence(IdentifiableMemoryPersistence[Note, str], INotesPersistence):
    def get_page_by_filter(  # type: ignore[override]
            self, correlation_id: Optional[str], filter: Optional[FilterParams],
            paging: Optional[PagingParams]) -> DataPage:
        author = (filter or FilterParams()).get_as_nullable_string('author')
        return super().get_page_by_filter(
            correlation_id, lambda note: author is None or note.author == author, paging)

    def get_by_author(self, correlation_id: Optional[str], author: str) -> List[Note]:
        return self.get_list_by_filter(correlation_id, lambda note: note.author == author)


class NotesFilePersistence(INotesPersistence, IdentifiableFilePersistence[Note, str]):
    def __init__(self, path: Optional[str] = None) -> None:
        super().__init__(JsonFilePersister(path, Note))

    def get_page_by_filter(  # type: ignore[override]
            self, correlation_id: Optional[str], filter: Optional[FilterParams],
            paging: Optional[PagingParams]) -> DataPage:
        return super().get_page_by_filter(correlation_id, None, paging)

    def get_by_author(self, correlation_id: Optional[str], author: str) -> List[Note]:
        with self._lock:  # the protected members are typed too
            return [note for note in self._items if note.author == author]


class NamesPersistence(MemoryPersistence[str]):
    """Items need no id in a plain MemoryPersistence."""

    def get_names_starting_with(self, correlation_id: Optional[str], prefix: str) -> List[str]:
        return self.get_list_by_filter(correlation_id, lambda name: name.startswith(prefix))


def rename_author(persistence: INotesPersistence, correlation_id: Optional[str], old: str, new: str) -> int:
    """Service code written against the interface only."""
    notes = persistence.get_by_author(correlation_id, old)
    for note in notes:
        note.author = new
        persistence.update(correlation_id, note)
    return len(notes)


def use_the_persistences(path: str) -> Note:
    memory = NotesMemoryPersistence()
    created = memory.create('123', Note(author='ann', text='hello'))
    assert created.id is not None  # the dataclass says Optional; the persistence has set it
    memory.update_partially('123', created.id, {'text': 'hello again'})
    rename_author(memory, '123', 'ann', 'anna')

    stored = NotesFilePersistence(path)
    stored.open('123')
    stored.set('123', Note(id='n1', author='bob'))
    stored.close('123')

    reopened = NotesFilePersistence(path)
    reopened.open('123')
    note = reopened.get_one_by_id('123', 'n1')
    reopened.close('123')
    assert note is not None
    return note


if TYPE_CHECKING:
    memory = NotesMemoryPersistence()
    file = NotesFilePersistence()
    names = NamesPersistence()
    reveal_type(memory.get_one_by_id(None, '1'))  # revealed: Note | None
    reveal_type(memory.create(None, Note()))  # revealed: Note
    reveal_type(memory.update(None, Note()))  # revealed: Note | None
    reveal_type(memory.delete_by_id(None, '1'))  # revealed: Note | None
    reveal_type(memory.get_list_by_ids(None, ['1', '2']))  # revealed: list[Note]
    reveal_type(memory.get_one_random(None))  # revealed: Note | None
    reveal_type(file.get_one_by_id(None, '1'))  # revealed: Note | None
    reveal_type(file.set(None, Note()))  # revealed: Note
    reveal_type(file._items)  # revealed: list[Note]
    reveal_type(names.create(None, 'Alice'))  # revealed: str
    reveal_type(names.get_list_by_filter(None, None))  # revealed: list[str]
