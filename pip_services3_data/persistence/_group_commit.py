"""Group commit: writes that arrive while a save is under way share the next save."""

import threading
from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, Tuple


class Batch:
    """The writes that one save makes durable: the item list after the last of them."""

    __slots__ = ('items', 'done', 'error')

    def __init__(self, items: List[Any]) -> None:
        self.items = items
        self.done = False
        self.error: Optional[BaseException] = None


class GroupCommit:
    """Saves the changes of many writing threads with few saves, none returning before its own.

    A writer enters :meth:`writer` holding the persistence's lock, changes the items, hands the
    list as it then is to :meth:`enqueue`, leaves the lock and calls :meth:`wait`. The first
    waiter finding no save under way saves the newest list, which holds its change and every
    change enqueued before it; writers arriving meanwhile wait for the next save, which then
    carries them all. The saves run without the persistence's lock, so that the next writers
    can make their changes.

    When a save fails, every write not yet saved fails with its error, including one whose
    change was under way (it was made on top of the failed changes), and :meth:`take_roll_back`
    hands out the items of the last save that succeeded: the persistence puts them back before
    its next operation. The data's lock across processes (``hold`` and ``let_go``) is held from the
    first writer's change until no write is pending, so no other process writes in between.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._writers = 0
        self._writers_by_thread: 'Counter[int]' = Counter()
        self._open_batch: Optional[Batch] = None
        self._saving = False
        self._failed_saves = 0
        self._last_failure: Optional[BaseException] = None
        #: The items of the last successful save or load.
        self.durable_items: List[Any] = []
        # Set when a save failed: the items to put back before the next operation.
        self._roll_back_to: Optional[List[Any]] = None

    @contextmanager
    def writer(self, hold: Callable[[], None], let_go: Callable[[], None]) -> Iterator[bool]:
        """Counts a writer in for the ``with`` block, holding the data's lock while any is in:
        the first writer calls ``hold``, the last one to leave ``let_go``. Every writer passes
        both, rather than this object keeping them, which would tie the persistence that owns
        it into a reference cycle.

        Yields whether the lock was taken just now, so that the data may have changed since
        this object last saw it; otherwise a pending write has held it all along.
        """
        thread = threading.get_ident()
        with self._condition:
            taken_now = self._writers == 0
            if taken_now:
                hold()
            self._writers += 1
            self._writers_by_thread[thread] += 1
        try:
            yield taken_now
        finally:
            with self._condition:
                self._writers -= 1
                self._writers_by_thread[thread] -= 1
                if not self._writers_by_thread[thread]:
                    del self._writers_by_thread[thread]
                if self._writers == 0:
                    let_go()
                self._condition.notify_all()

    @property
    def roll_back_pending(self) -> bool:
        """Tells whether items wait to be put back (read without the condition's lock, like
        :attr:`pending`: exact once no save is under way, as after :meth:`drain`)."""
        return self._roll_back_to is not None

    def take_roll_back(self) -> Tuple[Optional[List[Any]], int]:
        """Returns, at one instant, the items to put back because a save failed (once; ``None``
        when there are none) and how many saves have failed so far.

        A writer takes both before its change and hands the count to :meth:`enqueue`: a save
        failing in between, after the items were put back, is then noticed there.
        """
        with self._condition:
            items, self._roll_back_to = self._roll_back_to, None
            return items, self._failed_saves

    def enqueue(self, items: List[Any], failed_saves_before: int) -> Batch:
        """Puts a change into the next save; ``items`` is the whole list with it (and all before).

        When a save failed since the writer took ``failed_saves_before``, the change was made
        on top of changes that failed: the batch returned has failed with that save's error,
        and the items are rolled back to the last successful save.
        """
        with self._condition:
            if self._failed_saves != failed_saves_before:
                failed = Batch(items)
                failed.done, failed.error = True, self._last_failure
                self._roll_back_to = self.durable_items
                return failed
            batch = self._open_batch
            if batch is None:
                batch = self._open_batch = Batch(items)
            batch.items = items
            return batch

    def wait(self, batch: Batch, save: Callable[[List[Any]], None]) -> None:
        """Returns once ``batch`` is saved, saving with ``save`` when no other waiter is.

        :raises BaseException: the error of the save that failed to make ``batch`` durable.
        """
        while True:
            with self._condition:
                while self._saving and not batch.done:
                    self._condition.wait()
                if batch.done:
                    break
                saving = self._open_batch
                assert saving is not None  # ours is open until a save takes it
                self._open_batch = None
                self._saving = True
            try:
                save(saving.items)
                error: Optional[BaseException] = None
            except BaseException as raised:
                error = raised
            self._finish(saving, error)
        if batch.error is not None:
            raise batch.error

    @property
    def pending(self) -> bool:
        """Tells whether a write is under way (read without the condition's lock: callers hold
        the persistence's lock, under which writers begin, so a ``False`` stays true)."""
        return self._writers > 0

    def drain(self) -> None:
        """Waits until no write of another thread is pending, so that a reader sees only saved
        changes. A writer reading while it makes its change (a filter function calling back
        into the persistence) does not wait for itself."""
        with self._condition:
            while self._writers > self._writers_by_thread[threading.get_ident()]:
                self._condition.wait()

    def _finish(self, saved: Batch, error: Optional[BaseException]) -> None:
        with self._condition:
            self._saving = False
            saved.done = True
            if error is not None:
                self._failed_saves += 1
                self._last_failure = saved.error = error
                # The next batch's changes were made on top of the failed ones: they fail too.
                waiting = self._open_batch
                if waiting is not None:
                    waiting.done, waiting.error = True, error
                    self._open_batch = None
                self._roll_back_to = self.durable_items
            self._condition.notify_all()
