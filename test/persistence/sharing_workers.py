"""The processes of ``test_sharing.py``: each function here is the whole life of one process.

They are started with multiprocessing's ``spawn`` method, so each runs in a fresh interpreter
that imports this module, as a second service worker or an admin script would. They are
synchronised with the test by barriers, events and pipes only. Every worker reports one tuple
through its ``results`` queue, and never raises: an unexpected exception is reported as
``('crashed', name, traceback)`` so that the test can show it.
"""

import json
import os
import random
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple

from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister

# How long a worker waits for the test or for its peers before it reports a failure instead of
# hanging: a bound for a broken implementation, never a means of synchronisation.
PATIENCE_SECONDS = 60


def open_persistence(path: str) -> IdentifiableFilePersistence:
    persistence = IdentifiableFilePersistence(JsonFilePersister(path))
    persistence.open(None)
    return persistence


def describe(error: BaseException) -> str:
    code = getattr(error, 'code', None)
    return f'{type(error).__name__} {code}: {error}' if code else f'{type(error).__name__}: {error}'


def close_noting_failure(persistence: Any, failures: List[str]) -> None:
    try:
        persistence.close(None)
    except Exception as error:
        failures.append(f'close: {describe(error)}')


def reporting(results: Any, name: str, body: Callable[[], Tuple[Any, ...]]) -> None:
    try:
        results.put(body())
    except BaseException:
        results.put(('crashed', name, traceback.format_exc()))


# --- Many processes creating items -----------------------------------------------------------------

def create_items(path: str, process_number: int, count: int, start: Any, all_created: Any, results: Any) -> None:
    """Creates ``count`` items once every process is ready, then, once every process has
    created its items, counts the items this object sees.

    Reports ``(process_number, acknowledged_ids, failures, count_seen_after_all_created)``.
    """
    def body() -> Tuple[Any, ...]:
        persistence = open_persistence(path)
        start.wait(PATIENCE_SECONDS)
        acknowledged: List[str] = []
        failures: List[str] = []
        for number in range(count):
            item_id = f'p{process_number}-{number}'
            try:
                persistence.create(None, {'id': item_id, 'process': process_number, 'number': number})
                acknowledged.append(item_id)
            except Exception as error:
                failures.append(f'create {item_id}: {describe(error)}')
        all_created.wait(PATIENCE_SECONDS)
        count_seen = persistence.get_count_by_filter(None, None)
        close_noting_failure(persistence, failures)
        return process_number, acknowledged, failures, count_seen
    reporting(results, f'creator {process_number}', body)


# --- Mixed writes, each process keeping a log of what was acknowledged ------------------------------

SHARED_ID = 'shared'


def write_mixed(path: str, process_number: int, operations: int, seed: int, start: Any, results: Any) -> None:
    """Creates, updates and deletes items of its own and sets its own field of the shared item,
    in an order drawn from ``seed``.

    Values have a fixed width, so an update does not change the size of the file: a change
    check that looks only at the size cannot see it. Before each write, the process reads back
    what it last wrote, so a lost write is reported at the moment it shows.

    Reports ``(process_number, log, failures)``, where ``log`` lists every acknowledged write as
    ``(operation, id, value)``: ``create``/``update``/``delete`` of an own item, or ``mark`` for
    the shared item's field ``by_p<process_number>``.
    """
    def body() -> Tuple[Any, ...]:
        choices = random.Random(seed)
        field = f'by_p{process_number}'
        persistence = open_persistence(path)
        log: List[Tuple[str, str, Optional[str]]] = []
        failures: List[str] = []
        own_values: Dict[str, str] = {}
        created = 0
        start.wait(PATIENCE_SECONDS)
        for sequence in range(operations):
            value = f'{process_number}-{sequence:06d}'
            draw = choices.random()
            try:
                if not own_values or draw < 0.35:
                    item_id = f'p{process_number}-{created:04d}'
                    created += 1
                    persistence.create(None, {'id': item_id, 'value': value})
                    own_values[item_id] = value
                    log.append(('create', item_id, value))
                    continue
                if draw < 0.8:
                    item_id = choices.choice(sorted(own_values))
                    stored = persistence.get_one_by_id(None, item_id)
                    stored_value = None if stored is None else stored['value']
                    if stored_value != own_values[item_id]:
                        failures.append(f'operation {sequence}: {item_id} reads {stored_value!r}, '
                                        f'acknowledged {own_values[item_id]!r}')
                    if draw < 0.6:
                        updated = persistence.update(None, {'id': item_id, 'value': value})
                        if updated is None:
                            failures.append(f'operation {sequence}: update of {item_id} found nothing')
                            continue
                        own_values[item_id] = value
                        log.append(('update', item_id, value))
                    else:
                        removed = persistence.delete_by_id(None, item_id)
                        if removed is None:
                            failures.append(f'operation {sequence}: delete of {item_id} found nothing')
                            continue
                        del own_values[item_id]
                        log.append(('delete', item_id, None))
                    continue
                shared = persistence.update_partially(None, SHARED_ID, {field: value})
                if shared is None or shared[field] != value:
                    failures.append(f'operation {sequence}: marking the shared item returned {shared!r}')
                    continue
                log.append(('mark', SHARED_ID, value))
            except Exception as error:
                failures.append(f'operation {sequence}: {describe(error)}')
        close_noting_failure(persistence, failures)
        return process_number, log, failures
    reporting(results, f'mixed writer {process_number}', body)


# --- A writer and a reader that opens, reads and closes in a loop -----------------------------------

def write_in_sequence(path: str, count: int, saves_per_reader_cycle: int, start: Any, reader_cycles: Any,
                      done: Any, results: Any) -> None:
    """Creates ``item-0`` .. ``item-<count-1>``, one save each, checking after each that it sees
    every item it created. Every ``saves_per_reader_cycle`` saves it waits until the reader has
    finished one more cycle, so that the reader's cycles are spread over the writer's run.

    Reports ``('writer', acknowledged_count, failures)``.
    """
    def body() -> Tuple[Any, ...]:
        persistence = open_persistence(path)
        failures: List[str] = []
        acknowledged = 0
        start.wait(PATIENCE_SECONDS)
        try:
            for number in range(count):
                try:
                    persistence.create(None, {'id': f'item-{number}', 'number': number})
                    acknowledged += 1
                    seen = persistence.get_count_by_filter(None, None)
                    if seen != acknowledged:
                        failures.append(f'after create {number}: sees {seen} items, acknowledged {acknowledged}')
                except Exception as error:
                    failures.append(f'create {number}: {describe(error)}')
                if (number + 1) % saves_per_reader_cycle == 0 and not reader_cycles.acquire(timeout=PATIENCE_SECONDS):
                    failures.append(f'after create {number}: the reader finished no cycle')
            close_noting_failure(persistence, failures)
        finally:
            done.set()
        return 'writer', acknowledged, failures
    reporting(results, 'writer', body)


def read_in_loop(path: str, start: Any, reader_cycles: Any, done: Any, results: Any) -> None:
    """Until the writer is done, and once more after: opens a new persistence, reads every item,
    closes it; also reloads one long-lived persistence. Each cycle must see a gapless
    ``item-0`` .. ``item-<n-1>`` with ``n`` never below what an earlier cycle saw.

    Reports ``('reader', cycles, last_count, failures)``.
    """
    def body() -> Tuple[Any, ...]:
        long_lived = open_persistence(path)
        failures: List[str] = []
        cycles = 0
        previous_count = 0
        start.wait(PATIENCE_SECONDS)
        last_cycle = False
        while not last_cycle:
            last_cycle = done.is_set()
            try:
                persistence = open_persistence(path)
                items = persistence.get_list_by_filter(None, None)
                persistence.close(None)
                long_lived.load(None)
                reloaded_count = long_lived.get_count_by_filter(None, None)
            except Exception as error:
                failures.append(f'cycle {cycles}: {describe(error)}')
                cycles += 1
                reader_cycles.release()
                continue
            ids = [item['id'] for item in items]
            if ids != [f'item-{number}' for number in range(len(ids))]:
                failures.append(f'cycle {cycles}: ids are not item-0..item-{len(ids) - 1}: {ids}')
            if len(ids) < previous_count:
                failures.append(f'cycle {cycles}: sees {len(ids)} items after {previous_count}')
            if reloaded_count < len(ids):
                failures.append(f'cycle {cycles}: reloaded {reloaded_count} items after reading {len(ids)}')
            previous_count = max(previous_count, len(ids))
            cycles += 1
            reader_cycles.release()
        close_noting_failure(long_lived, failures)
        return 'reader', cycles, previous_count, failures
    reporting(results, 'reader', body)


# --- A writer paused inside its write, holding the write lock -------------------------------------

def write_paused_inside_replace(path: str, connection: Any, results: Any) -> None:
    """Creates ``writer-acknowledged`` and tells the test (``'acknowledged'``); then creates
    ``writer-in-flight`` with ``os.replace`` made to send the test the name of the temporary
    file it is about to rename over the data file, and to wait there for the test's answer.
    There the process holds the write lock and its temporary file is written: the test may
    kill it, or answer and let the write finish.

    Reports ``('paused writer', failures)`` once the second create returned.
    """
    def body() -> Tuple[Any, ...]:
        persistence = open_persistence(path)
        persistence.create(None, {'id': 'writer-acknowledged'})
        # A pipe, not the results queue: a queue's background thread may not have sent the
        # message yet when the test kills this process.
        connection.send('acknowledged')
        real_replace = os.replace
        data_path = os.path.realpath(path)

        def replace_when_told(source: Any, target: Any, **keywords: Any) -> None:
            if os.path.realpath(target) == data_path:
                connection.send(os.path.basename(source))
                connection.recv()
            real_replace(source, target, **keywords)

        os.replace = replace_when_told  # type: ignore[assignment]
        failures: List[str] = []
        try:
            persistence.create(None, {'id': 'writer-in-flight'})
        except Exception as error:
            failures.append(f'create writer-in-flight: {describe(error)}')
        finally:
            os.replace = real_replace
        return 'paused writer', failures
    reporting(results, 'paused writer', body)


def create_after_signal(path: str, process_number: int, count: int, ready: Any, go: Any, results: Any) -> None:
    """Opens, waits at ``ready`` with its peers and the test, waits for ``go``, creates ``count``
    items ``survivor<process_number>-<number>``.

    Reports ``(process_number, acknowledged_ids, failures)``.
    """
    def body() -> Tuple[Any, ...]:
        persistence = open_persistence(path)
        ready.wait(PATIENCE_SECONDS)
        if not go.wait(PATIENCE_SECONDS):
            return process_number, [], ['never told to go']
        acknowledged: List[str] = []
        failures: List[str] = []
        for number in range(count):
            item_id = f'survivor{process_number}-{number}'
            try:
                persistence.create(None, {'id': item_id})
                acknowledged.append(item_id)
            except Exception as error:
                failures.append(f'create {item_id}: {describe(error)}')
        close_noting_failure(persistence, failures)
        return process_number, acknowledged, failures
    reporting(results, f'survivor {process_number}', body)


# --- Two processes taking turns -------------------------------------------------------------------

def first_operation_failure(persistence: Any, turn: int) -> Optional[str]:
    """Runs, as the first operation after the peer's write of ``turn-<turn-1>``, one of five
    operations (by ``turn``), and tells what it failed to see; ``None`` when it saw that write.

    Before turn 0 nothing is written; after it, items ``turn-0`` .. ``turn-<turn-1>`` exist.
    """
    if turn == 0:
        return None
    last_id = f'turn-{turn - 1}'
    kind = turn % 5
    if kind == 0:
        count = persistence.get_count_by_filter(None, None)
        return None if count == turn else f'turn {turn}: get_count_by_filter gives {count}'
    if kind == 1:
        item = persistence.get_one_by_id(None, last_id)
        return None if item is not None else f'turn {turn}: get_one_by_id does not find {last_id}'
    if kind == 2:
        ids = [item['id'] for item in persistence.get_list_by_filter(None, None)]
        return None if last_id in ids else f'turn {turn}: get_list_by_filter gives {len(ids)} items without {last_id}'
    if kind == 3:
        page = persistence.get_page_by_filter(None, None, None)
        return None if page.total == turn else f'turn {turn}: get_page_by_filter total is {page.total}'
    updated = persistence.update_partially(None, last_id, {'seen_at_turn': turn})
    return None if updated is not None else f'turn {turn}: update_partially does not find {last_id}'


def take_turns(path: str, first: bool, turns: int, connection: Any, results: Any) -> None:
    """Takes every other turn with a peer process: on its turn, checks with its first operation
    that it sees the peer's last write, creates ``turn-<turn>``, and passes the turn on.

    Reports ``('turns', first, failures)``.
    """
    def body() -> Tuple[Any, ...]:
        persistence = open_persistence(path)
        failures: List[str] = []
        for turn in range(0 if first else 1, turns, 2):
            if turn > 0:
                if not connection.poll(PATIENCE_SECONDS):
                    failures.append(f'turn {turn}: the peer never passed the turn')
                    break
                connection.recv()
            failure = first_operation_failure(persistence, turn)
            if failure is not None:
                failures.append(failure)
            persistence.create(None, {'id': f'turn-{turn}'})
            connection.send(turn)
        close_noting_failure(persistence, failures)
        return 'turns', first, failures
    reporting(results, 'turns', body)


# --- Opening a file in a folder the process cannot write ------------------------------------------

def print_open_outcome(path: str) -> None:
    """Opens ``path`` and prints, as one JSON line, whether this process can write the file and
    its folder, and the outcome: ``['opened']`` or ``['raised', type name, code, message]``.

    Run as a script by the test, in a process without the permission to override file modes.
    """
    can_write_the_file = os.access(path, os.W_OK)
    can_write_the_folder = os.access(os.path.dirname(path), os.W_OK)
    outcome: List[Any] = ['opened']
    try:
        IdentifiableFilePersistence(JsonFilePersister(path)).open(None)
    except Exception as error:
        outcome = ['raised', type(error).__name__, getattr(error, 'code', None), str(error)]
    print(json.dumps({'can_write_the_file': can_write_the_file, 'can_write_the_folder': can_write_the_folder,
                      'outcome': outcome}))
