"""The in-memory persistence: a list of items, queries over it, and an optional loader and saver."""

import random
import threading
import weakref
from contextlib import contextmanager, nullcontext
from typing import Any, Callable, ContextManager, Generator, Generic, Iterator, List, Optional, Tuple, TypeVar

from pip_services3_commons.config import ConfigParams, IConfigurable
from pip_services3_commons.data import DataPage, PagingParams
from pip_services3_commons.errors import (
    BadRequestException, ConfigException, ConflictException, InvalidStateException,
)
from pip_services3_commons.refer import IReferenceable, IReferences
from pip_services3_commons.run import ICleanable, IOpenable

from ..ILoader import ILoader
from ..ISaver import ISaver
from ._attribute_dict import attribute_dict_from
from ._cloning import clone, copy_item_shallow
from ._interface_stubs import ImplementationsFirst
from ._group_commit import GroupCommit
from ._item_store import ItemStore
from ._listened_logger import ListenedCompositeLogger
from ._records import record_of
from ._shared_storage import SharedStorage
from ._sorting import sort_items
from ._storing import copy_for_store

T = TypeVar('T')

Filter = Optional[Callable[[Any], bool]]


class MemoryPersistence(IConfigurable, IReferenceable, IOpenable, ICleanable, Generic[T],
                        metaclass=ImplementationsFirst):
    """Stores items of any type in memory, optionally loaded from and saved to another source.

    The base of every persistence in this package. Subclasses implement their queries by
    turning their own filter parameters into a filter function and calling the protected
    query methods here, or work on ``self._items`` directly (holding ``self._lock``, which is
    re-entrant, and calling :meth:`save` after a change).

    **Copies.** The persistence owns its items. Writes store a copy of what they are given
    (a plain ``dict`` is stored as a dict that also allows attribute access) and every read
    returns copies, so changing a returned item changes the store only when written back.

    **Saving.** Each write saves through the saver before it returns; when the save raises, the
    write is undone in memory and the error propagates. Writes that change nothing do not save.

    ### Configuration parameters ###
        - options:
            - max_page_size: the largest number of items a page holds (default: 100)

    ### References ###
        - ``*:logger:*:*:1.0``: (optional) loggers that receive trace messages

    >>> class NamesPersistence(MemoryPersistence):
    ...     def get_names(self, correlation_id, prefix):
    ...         return self.get_list_by_filter(correlation_id, lambda name: name.startswith(prefix))
    >>> persistence = NamesPersistence()
    >>> for name in ['Alice', 'Bob', 'Alfred']:
    ...     _ = persistence.create(None, name)
    >>> persistence.get_names(None, 'Al')
    ['Alice', 'Alfred']
    """

    def __init__(self, loader: Optional[ILoader] = None, saver: Optional[ISaver] = None) -> None:
        """Creates an empty, closed persistence.

        :param loader: (optional) loads the initial items on :meth:`open`.
        :param saver: (optional) receives the whole item list after every write.
        """
        self._lock = threading.RLock()
        self._logger = ListenedCompositeLogger()
        self._store = ItemStore(on_out_of_step=_warner_of(weakref.ref(self)))
        self._loader = loader
        self._saver = saver
        self._opened = False
        self._loaded = False
        self._max_page_size = 100
        self._load_error: Optional[Exception] = None
        self._strict = False
        self._shared_loader: Optional[SharedStorage] = None
        self._group_commit = GroupCommit()
        #: Makes what a read returns from a stored item: a copy, or in strict mode a record.
        self._copy_out: Callable[[Any], Any] = clone

    @property
    def _items(self) -> List[T]:
        """The live list of stored items, for subclasses: a plain ``list``.

        Hold ``self._lock`` while using it and call :meth:`save` after changing it. Any change
        a list allows is fine; the id index is rebuilt at the next lookup by id. A list assigned
        here becomes the store itself.
        """
        with self._lock:
            self._put_back_after_failed_save()
            if not self._store.lent:
                try:
                    self._before_reading(None)
                except ConfigException as error:
                    # A subclass may build its items before a path is configured: no file to see yet.
                    if error.code != 'NO_PATH':
                        raise
            return self._store.lend()

    @_items.setter
    def _items(self, items: List[T]) -> None:
        self._store.adopt(items if isinstance(items, list) else list(items))

    def configure(self, config: ConfigParams) -> None:
        """Reads ``options.max_page_size`` and ``options.strict``.

        :raises ConfigException: ``INVALID_MAX_PAGE_SIZE`` when it is not a whole number of at least 1.
        """
        self._strict = config.get_as_boolean_with_default('options.strict', self._strict)
        self._copy_out = record_of if self._strict else clone
        text = config.get_as_nullable_string('options.max_page_size')
        if text is None:
            return
        max_page_size = config.get_as_nullable_integer('options.max_page_size')
        if max_page_size is None or max_page_size < 1:
            raise ConfigException(
                None, 'INVALID_MAX_PAGE_SIZE',
                f'options.max_page_size must be a whole number of at least 1, not {text!r}',
            )
        self._max_page_size = max_page_size

    def set_references(self, references: IReferences) -> None:
        """Hands the references to the logger, which picks up every ``*:logger:*:*:1.0``."""
        self._logger.set_references(references)

    def is_open(self) -> bool:
        """Tells whether :meth:`open` has run and :meth:`close` has not since."""
        return self._opened

    def open(self, correlation_id: Optional[str]) -> None:
        """Loads the items through the loader and marks the persistence open.

        Does nothing when already open. A file persistence first checks that its file can be
        replaced by later saves, and loads only when the file changed since it last loaded or
        saved it.

        :raises FileException: ``NOT_REPLACEABLE`` when saves could not replace the file;
            ``READ_FAILED`` from a file loader, see :meth:`load`.
        """
        with self._lock:
            if self._opened:
                return
            self._settle()
            if isinstance(self._saver, SharedStorage):
                self._saver.check_replaceable(correlation_id)
            # Other loaders cannot tell whether their data changed: they always load again.
            self._sync(correlation_id, always=not isinstance(self._loader, SharedStorage))
            self._opened = True

    def close(self, correlation_id: Optional[str]) -> None:
        """Saves unsaved changes (when open) and marks the persistence closed.

        Only a subclass that changed ``self._items`` without calling :meth:`save` leaves
        unsaved changes; a persistence that has none does not write. After a failed load
        nothing is saved, so a file that could not be read is never overwritten; a warning is
        logged instead.

        :raises ConflictException: ``CONCURRENT_CHANGE`` when unsaved changes meet data that
            another object saved meanwhile; nothing is written or discarded, and the
            persistence stays open.
        """
        with self._lock:
            self._settle()
            if self._load_error is not None:
                self._logger.warn(correlation_id, 'Closed without saving: the last load failed')
            elif self._opened and self._store.lent:
                # Only a lent list can hold unsaved changes: a reader never waits for a writer here.
                with self._exclusive(correlation_id):
                    if self._has_unsaved_changes():
                        if self._is_stale():
                            raise self._concurrent_change(correlation_id)
                        self._save_items(correlation_id)
                        self._store.saved()
            if isinstance(self._loader, SharedStorage):
                self._loader.release()
            self._opened = False

    def load(self, correlation_id: Optional[str]) -> None:
        """Replaces the stored items with those of the loader; does nothing without a loader.

        Unsaved changes to ``self._items`` are discarded. A load that fails for any reason but
        a missing path leaves the stored items as they were and puts the persistence in a
        failed-load state: every write, :meth:`save` and :meth:`clear` then raises
        ``InvalidStateException`` ``LOAD_FAILED`` until a load succeeds.

        :raises ConfigException: ``NO_PATH`` from a file loader without a path.
        :raises FileException: ``READ_FAILED`` from a file loader that cannot read its file.
        """
        with self._lock:
            self._settle()
            self._load(correlation_id)

    def _load(self, correlation_id: Optional[str]) -> None:
        if self._loader is None:
            return
        with self._lock:
            try:
                loaded = self._loader.load(correlation_id)
            except ConfigException as error:
                if error.code != 'NO_PATH':
                    self._load_error = error
                raise
            except Exception as error:
                self._load_error = error
                raise
            items: List[Any] = [attribute_dict_from(item) if type(item) is dict else item
                                for item in loaded or ()]
            self._store.reset(items)
            self._group_commit.durable_items = list(items)
            self._load_error = None
            self._loaded = True
            self._trace(correlation_id, 'Loaded %s items', len(items))

    def save(self, correlation_id: Optional[str]) -> None:
        """Hands all stored items to the saver; does nothing without a saver.

        A subclass calls it after changing ``self._items``. When a file persistence's file was
        written by another object since this one loaded it, the items are not written over it:
        without unsaved changes the file is loaded instead.

        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        :raises ConflictException: ``CONCURRENT_CHANGE`` when ``self._items`` was changed and
            the file was written by another object since it was loaded; nothing is written
            or discarded.
        :raises FileException: ``WRITE_FAILED`` from a file saver that cannot write.
        """
        with self._lock:
            self._settle()
            self._check_writable(correlation_id)
            with self._exclusive(correlation_id):
                if self._is_stale():
                    self._sync(correlation_id)
                    return
                self._save_items(correlation_id)
                self._store.saved()

    def clear(self, correlation_id: Optional[str]) -> None:
        """Removes every item and saves, even when there was nothing to remove.

        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        with self._writing(correlation_id, save_always=True) as store:
            store.replace_all([])
        self._trace(correlation_id, 'Cleared items')

    def create(self, correlation_id: Optional[str], item: T) -> T:
        """Appends a copy of ``item`` and saves.

        :return: a new item equal to the stored one (a shallow copy of ``item``, sharing nothing
            with the store; in strict mode a record).
        :raises BadRequestException: ``CYCLIC_ITEM`` or ``ITEM_NOT_COPYABLE`` when ``item``
            cannot be copied.
        :raises FileException: ``WRITE_FAILED`` from a file persistence when the file cannot
            hold a value of ``item`` exactly, or cannot be written.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        stored = copy_for_store(correlation_id, item, self._saver)
        with self._writing(correlation_id) as store:
            store.append(stored)
        self._trace(correlation_id, 'Created an item')
        return record_of(item) if self._strict else copy_item_shallow(item)

    def get_page_by_filter(self, correlation_id: Optional[str], filter: Filter,
                           paging: Optional[PagingParams], sort: Any = None,
                           select: Optional[Callable[[Any], Any]] = None) -> DataPage:
        """Gets one page of the items that match ``filter``: filtered, sorted, paged, projected.

        Subclasses usually override this with their own signature and call it with a filter
        function. ``filter`` and ``sort`` see the stored items and must not change them.

        :param filter: (optional) a function telling whether an item belongs; ``None`` takes all.
        :param paging: (optional) ``skip`` (below 0 counts as 0) and ``take`` (capped at
            ``options.max_page_size``; negative gives an empty page).
        :param sort: (optional) a key function, ascending, or :class:`SortParams`; both stable.
        :param select: (optional) a function applied to the copy of each returned item.
        :return: a page whose ``data`` is a list of copies and whose ``total`` is the number of
            matching items.
        :raises BadRequestException: ``INVALID_PAGING``, ``INVALID_FILTER``, ``INVALID_SORT`` or
            ``SORT_FAILED``.
        """
        skip, take = self._page_bounds(correlation_id, paging)
        with self._lock:
            self._before_reading(correlation_id)
            matching = self._filter_items(correlation_id, filter)
            ordered = self._ordered(correlation_id, matching, sort)
            page_items = [self._copy_out(item) for item in ordered[skip:skip + take]]
        if select is not None:
            page_items = [select(item) for item in page_items]
        self._trace(correlation_id, 'Retrieved %s of %s items', len(page_items), len(matching))
        # Strict like the database persistences: they count only when paging asks for the total.
        counted = not self._strict or (paging is not None and paging.total)
        # DataPage's annotation says int, but None is what the database persistences give.
        return DataPage(page_items, len(matching) if counted else None)  # type: ignore[arg-type]

    def get_list_by_filter(self, correlation_id: Optional[str], filter: Filter,
                           sort: Any = None, select: Optional[Callable[[Any], Any]] = None) -> List[T]:
        """Gets copies of all items that match ``filter``, sorted and projected.

        Takes the same ``filter``, ``sort`` and ``select`` as :meth:`get_page_by_filter`.

        :raises BadRequestException: ``INVALID_FILTER``, ``INVALID_SORT`` or ``SORT_FAILED``.
        """
        with self._lock:
            self._before_reading(correlation_id)
            matching = self._filter_items(correlation_id, filter)
            ordered = self._ordered(correlation_id, matching, sort)
            result = [self._copy_out(item) for item in ordered]
        if select is not None:
            result = [select(item) for item in result]
        self._trace(correlation_id, 'Retrieved %s items', len(result))
        return result

    def get_count_by_filter(self, correlation_id: Optional[str], filter: Filter) -> int:
        """Counts the items that match ``filter`` (all items when it is ``None``).

        :raises BadRequestException: ``INVALID_FILTER`` when ``filter`` is not callable.
        """
        with self._lock:
            self._before_reading(correlation_id)
            count = len(self._filter_items(correlation_id, filter))
        self._trace(correlation_id, 'Counted %s items', count)
        return count

    def get_one_random(self, correlation_id: Optional[str], filter: Filter = None) -> Optional[T]:
        """Gets a copy of an item chosen uniformly among those that match ``filter``.

        :return: the copy, or ``None`` when nothing matches.
        :raises BadRequestException: ``INVALID_FILTER`` when ``filter`` is not callable.
        """
        with self._lock:
            self._before_reading(correlation_id)
            matching = self._filter_items(correlation_id, filter)
            item = self._copy_out(random.choice(matching)) if matching else None
        self._trace(correlation_id, 'Retrieved a random item of %s', len(matching))
        return item

    def delete_by_filter(self, correlation_id: Optional[str], filter: Filter) -> None:
        """Deletes the items that match ``filter``; ``None`` deletes every item.

        Saves only when something was deleted.

        :raises BadRequestException: ``INVALID_FILTER`` when ``filter`` is not callable.
        :raises InvalidStateException: ``LOAD_FAILED`` after a failed load.
        """
        with self._writing(correlation_id) as store:
            matching = self._filter_items(correlation_id, filter)
            if matching:
                matching_ids = {id(item) for item in matching}
                store.replace_all([item for item in store.items if id(item) not in matching_ids])
        self._trace(correlation_id, 'Deleted %s items', len(matching))

    @contextmanager
    def _writing(self, correlation_id: Optional[str], save_always: bool = False) -> Iterator[ItemStore]:
        """The one path every write takes: yields the store to change, then saves the change.

        Under ``self._lock``, and for a shared file under its lock across processes, it first
        loads what another object may have saved meanwhile, then refuses to go on after a
        failed load, before anything is looked up, so that even a write that would find
        nothing raises ``LOAD_FAILED``. A change that raises is undone at once. A change (or
        ``save_always``) is then saved through the group commit, outside ``self._lock``, so
        that writers arriving meanwhile share the next save; the write returns once its change
        is saved. When that save fails, the error propagates and the next operation, before
        anything else, puts back the last saved items, so memory matches what the saver holds.
        """
        if self._saver is None:
            with self._lock:
                self._sync(correlation_id)
                self._check_writable(correlation_id)
                yield from self._changing_store()
            return
        group = self._group_commit
        # Acquired by hand: the lock is left before waiting for the save, the writer count
        # only after; counting a writer in outside the lock would let a reader holding it
        # wait for a writer that waits for the lock.
        self._lock.acquire()
        locked = True
        try:
            with group.writer(self._hold_saver, self._let_go_of_saver) as data_held_just_now:
                failed_saves_before = self._put_back_after_failed_save()
                if data_held_just_now:
                    self._sync(correlation_id)
                self._check_writable(correlation_id)
                changed = yield from self._changing_store()
                if not (changed or save_always):
                    return
                if self._store.lent:
                    self._forget_lent_items()
                batch = group.enqueue(list(self._store.items), failed_saves_before)
                self._lock.release()
                locked = False
                # A failed save's items are put back by the next operation, which may be a
                # reader holding the lock while it waits for this writer to finish.
                group.wait(batch, lambda items: self._save_list(correlation_id, items))
        finally:
            if locked:
                self._lock.release()

    def _changing_store(self) -> Generator[ItemStore, None, bool]:
        """Yields the store for one write's change; undoes it if it raises, else tells whether
        anything changed."""
        store = self._store
        store.begin()
        try:
            yield store
        except BaseException:
            store.roll_back()
            raise
        changed = store.changed()
        store.commit()
        return changed

    def _before_reading(self, correlation_id: Optional[str]) -> None:
        """Waits for pending writes, so that reads see only saved changes, and loads what
        another object saved meanwhile; callers hold ``self._lock``."""
        self._settle()
        self._sync(correlation_id)

    def _settle(self) -> None:
        # Writers start under self._lock, which the caller holds: none can begin meanwhile, and
        # once the pending ones are done no save is under way.
        group = self._group_commit
        if group.pending:
            group.drain()
        if group.roll_back_pending:
            self._put_back_after_failed_save()

    def _put_back_after_failed_save(self) -> int:
        """Puts back the items of the last good save when a save failed since; returns how many
        saves have failed, counted at the same instant (see :meth:`GroupCommit.take_roll_back`)."""
        items, failed_saves = self._group_commit.take_roll_back()
        if items is not None:
            self._store.reset(list(items))
        return failed_saves

    def _hold_saver(self) -> None:
        if isinstance(self._saver, SharedStorage):
            self._saver.hold()

    def _let_go_of_saver(self) -> None:
        if isinstance(self._saver, SharedStorage):
            self._saver.let_go()

    def _forget_lent_items(self) -> None:
        """The items a subclass was lent may have changed in place: the saver must encode all."""
        if isinstance(self._saver, SharedStorage):
            self._saver.forget_seen_items()
        self._store.saved()

    def _sync(self, correlation_id: Optional[str], always: bool = False) -> None:
        """Loads the items when they were never loaded, or when the loader's data changed since
        this object last loaded or saved it; callers hold ``self._lock``.

        Every operation starts here, so that a write through another object sharing the file
        is seen by this one's next operation.

        :raises ConflictException: ``CONCURRENT_CHANGE`` when the load would discard unsaved
            changes to ``self._items``.
        """
        if self._loader is None or not (always or self._is_stale()):
            return
        self._refuse_if_changed_meanwhile(correlation_id)
        self._load(correlation_id)

    def _is_stale(self) -> bool:
        loader = self._loader
        shared_loader = self._shared_loader
        if shared_loader is not None and loader is shared_loader:
            return shared_loader.changed()
        if isinstance(loader, SharedStorage):
            # Remembered: every operation asks, and an isinstance check of an ABC costs more
            # than the question it guards. Looked up again when a subclass assigns _loader.
            self._shared_loader = loader
            return loader.changed()
        return loader is not None and not self._loaded

    def _refuse_if_changed_meanwhile(self, correlation_id: Optional[str]) -> None:
        if self._is_stale() and self._has_unsaved_changes():
            raise self._concurrent_change(correlation_id)

    @staticmethod
    def _concurrent_change(correlation_id: Optional[str]) -> ConflictException:
        return ConflictException(
            correlation_id, 'CONCURRENT_CHANGE',
            'self._items holds unsaved changes, and its data was written by another object '
            'since it was loaded; call load() to take theirs and discard these, or save them anew',
        )

    def _has_unsaved_changes(self) -> bool:
        """Tells whether a subclass changed the items since they were loaded or saved."""
        if not self._store.lent or self._saver is None:
            return False
        if isinstance(self._saver, SharedStorage):
            return not self._saver.holds(list(self._store.items))
        return True

    def _exclusive(self, correlation_id: Optional[str]) -> ContextManager[None]:
        """The saver's lock across objects and processes, when it has one."""
        if isinstance(self._saver, SharedStorage):
            return self._saver.locked(correlation_id)
        return nullcontext()

    def _save_items(self, correlation_id: Optional[str]) -> None:
        """Hands a copy of the item list to the saver, if there is one, right away."""
        if self._store.lent and isinstance(self._saver, SharedStorage):
            self._saver.forget_seen_items()
        self._save_list(correlation_id, list(self._store.items))

    def _save_list(self, correlation_id: Optional[str], items: List[Any]) -> None:
        if self._saver is not None:
            self._saver.save(correlation_id, items)
            self._group_commit.durable_items = items
            self._trace(correlation_id, 'Saved %s items', len(items))

    def _trace(self, correlation_id: Optional[str], message: str, *values: Any) -> None:
        """Traces ``message % values``, formatted only when a logger will receive it."""
        # A subclass may have replaced _logger with a logger of its own, which always gets the message.
        if getattr(self._logger, 'has_listeners', True):
            self._logger.trace(correlation_id, message % values if values else message)

    def _check_writable(self, correlation_id: Optional[str]) -> None:
        if self._load_error is not None:
            raise InvalidStateException(
                correlation_id, 'LOAD_FAILED',
                f'Refusing to write: the last load failed ({self._load_error}); '
                'fix the data source and load again',
            ).with_cause(self._load_error)

    def _filter_items(self, correlation_id: Optional[str], filter: Filter) -> List[Any]:
        """Returns the live stored items that match ``filter``, in stored order."""
        if filter is None:
            return list(self._store.items)
        if not callable(filter):
            raise BadRequestException(
                correlation_id, 'INVALID_FILTER',
                f'Filter must be a function of an item or None, not {type(filter).__name__}',
            )
        return [item for item in self._store.items if filter(item)]

    def _ordered(self, correlation_id: Optional[str], items: List[Any], sort: Any) -> List[Any]:
        """Sorts ``items`` by ``sort``; without one, the strict mode reverses them, so that a test
        relying on an order no database promises fails on the fake as well."""
        if sort is None and self._strict:
            return items[::-1]
        return sort_items(correlation_id, items, sort)

    def _page_bounds(self, correlation_id: Optional[str], paging: Optional[PagingParams]) -> Tuple[int, int]:
        if paging is None:
            return 0, self._max_page_size
        if not isinstance(paging, PagingParams):
            raise BadRequestException(
                correlation_id, 'INVALID_PAGING',
                f'Paging must be a PagingParams or None, not {type(paging).__name__}',
            )
        return paging.get_skip(0), paging.get_take(self._max_page_size)


def _warner_of(persistence: 'weakref.ReferenceType[MemoryPersistence[Any]]') -> Callable[[str], None]:
    """Logs a warning through the persistence's logger, looked up at the time (a subclass may
    replace ``_logger``), without keeping the persistence alive: it owns the store that calls."""
    def warn(message: str) -> None:
        owner = persistence()
        if owner is not None:
            owner._logger.warn(None, message)
    return warn
