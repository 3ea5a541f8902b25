"""Sharing one file: any number of persistence objects, in one process or several, on one path.

3.3.0 let every object keep its own copy of the file and write it whole, so objects sharing a
path silently lost each other's acknowledged writes, a reader's ``close`` rolled back a writer,
loading removed a live writer's temporary file, and a write before ``open`` replaced the file
with an empty store (issue 11). The contract pinned here (SPEC.md section 8):

- a write that returns is in the file and survives every other object's later writes;
- every object's next operation, read or write, sees a write made through another object;
- writers hold an OS lock (``.<name>.lock`` beside the file) for one write only, and a process
  killed while holding it releases it;
- ``close`` writes only changes a subclass left unsaved, and raises ``ConflictException``
  ``CONCURRENT_CHANGE`` when they meet another object's write, changing neither side;
- nothing is written before the file was loaded;
- temporary files are removed only when their writer is gone, and only this file's;
- ``open`` refuses a path that cannot be replaced atomically (``NOT_REPLACEABLE``) or is not a
  regular file (``READ_FAILED``, never a hang).

Processes are real (multiprocessing's ``spawn``), their code is in ``sharing_workers.py``, and
they are synchronised by barriers, events, semaphores and pipes. Time limits only bound how long
a broken implementation can make a test wait.
"""

import errno
import gc
import json
import multiprocessing
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List, Tuple

import pytest
from pip_services3_commons.errors import ConflictException, FileException, InvalidStateException

from pip_services3_data.persistence import (
    FilePersistence, IdentifiableFilePersistence, JsonFilePersister,
)
from sharing_workers import (
    PATIENCE_SECONDS, create_after_signal, create_items, first_operation_failure, read_in_loop,
    take_turns, write_in_sequence, write_mixed, write_paused_inside_replace,
)
from support import file_state, open_file_persistence

fcntl = pytest.importorskip('fcntl', reason='file locks are tested with fcntl, which this platform lacks')

SPAWN = multiprocessing.get_context('spawn')
# Far longer than opening, reading or closing takes: past it, the call is taken to hang.
HANG_SECONDS = 10
TEMPORARY_NAME = re.compile(r'^\.items\.json\.[0-9a-f]{16}\.tmp$')


def stored_items(path: Path) -> List[Any]:
    return json.loads(path.read_bytes())


def stored_ids(path: Path) -> List[Any]:
    return [item['id'] for item in stored_items(path)]


def seed(path: Path, count: int) -> List[str]:
    ids = [f'seeded-{number}' for number in range(count)]
    JsonFilePersister(str(path)).save(None, [{'id': item_id, 'value': 'seeded'} for item_id in ids])
    return ids


def temporary_files_in(directory: Path) -> List[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith('.tmp'))


def write_lock_is_held(path: Path) -> bool:
    """Tells whether some open file holds the write lock of ``path``, without waiting for it."""
    try:
        descriptor = os.open(path.parent / f'.{path.name}.lock', os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
            return True
        raise
    finally:
        os.close(descriptor)
    return False


def first_lines(lines: List[str], count: int = 5) -> str:
    return '; '.join(lines[:count]) + (f'; ... {len(lines) - count} more' if len(lines) > count else '')


class Processes:
    """Worker processes started with ``spawn`` and the queue they report to."""

    def __init__(self) -> None:
        self.results = SPAWN.Queue()
        self.started: List[Any] = []

    def start(self, target: Callable[..., None], *arguments: Any) -> Any:
        process = SPAWN.Process(target=target, args=arguments, daemon=True)
        process.start()
        self.started.append(process)
        return process

    def reports(self, count: int) -> List[Any]:
        """Waits for ``count`` reports; a crashed worker fails the test with its traceback."""
        reports = [self.results.get(timeout=PATIENCE_SECONDS * 2) for _ in range(count)]
        crashed = [report for report in reports if report[0] == 'crashed']
        if crashed:
            pytest.fail('\n'.join(f'{name} crashed:\n{trace}' for _, name, trace in crashed))
        return reports

    def finish(self, *processes: Any) -> None:
        """Waits for the processes (all when none are given) to exit and checks they exited cleanly."""
        for process in processes or self.started:
            process.join(PATIENCE_SECONDS)
            assert process.exitcode == 0, f'{process.name} exited with {process.exitcode}'

    def stop_all(self) -> None:
        for process in self.started:
            if process.is_alive():
                process.kill()
            process.join()
        self.results.close()


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes()
    yield started
    started.stop_all()


# --- Many processes writing one file --------------------------------------------------------------

PROCESSES = 8
CREATES_PER_PROCESS = 100


def test_eight_processes_creating_100_items_each_keep_all_800_and_each_then_sees_all(tmp_path, processes):
    path = tmp_path / 'items.json'
    start = SPAWN.Barrier(PROCESSES)
    all_created = SPAWN.Barrier(PROCESSES)
    for process_number in range(PROCESSES):
        processes.start(create_items, str(path), process_number, CREATES_PER_PROCESS, start, all_created,
                        processes.results)
    reports = processes.reports(PROCESSES)
    processes.finish()

    acknowledged = [item_id for _, ids, _, _ in reports for item_id in ids]
    failures = [failure for _, _, process_failures, _ in reports for failure in process_failures]
    ids = stored_ids(path)
    lost = sorted(set(acknowledged) - set(ids))
    counts_seen = sorted(count for _, _, _, count in reports)
    figures = (f'{len(ids)} items in the file ({len(set(ids))} distinct) of {PROCESSES * CREATES_PER_PROCESS}; '
               f'{len(acknowledged)} creates acknowledged, {len(lost)} of them lost, {len(failures)} failed; '
               f'counts seen after all creates: {counts_seen}')
    print(figures)
    assert failures == [], f'{figures}. Failures: {first_lines(failures)}'
    assert lost == [], f'{figures}. Lost: {first_lines(lost)}'
    assert sorted(ids) == sorted(acknowledged), figures
    assert len(ids) == PROCESSES * CREATES_PER_PROCESS, figures
    assert counts_seen == [PROCESSES * CREATES_PER_PROCESS] * PROCESSES, figures


MIXED_WRITERS = 4
MIXED_OPERATIONS = 100


def test_four_processes_doing_mixed_writes_leave_exactly_what_their_acknowledged_writes_say(tmp_path, processes):
    path = tmp_path / 'items.json'
    JsonFilePersister(str(path)).save(None, [{'id': 'shared'}])
    start = SPAWN.Barrier(MIXED_WRITERS)
    for process_number in range(MIXED_WRITERS):
        processes.start(write_mixed, str(path), process_number, MIXED_OPERATIONS, 1000 + process_number, start,
                        processes.results)
    reports = processes.reports(MIXED_WRITERS)
    processes.finish()

    # Replaying each process's log of acknowledged writes gives the one right final file.
    expected = {'shared': {'id': 'shared'}}
    writes = 0
    for process_number, log, _ in reports:
        writes += len(log)
        for operation, item_id, value in log:
            if operation in ('create', 'update'):
                expected[item_id] = {'id': item_id, 'value': value}
            elif operation == 'delete':
                del expected[item_id]
            else:
                expected['shared'][f'by_p{process_number}'] = value
    items = stored_items(path)
    stored = {item['id']: item for item in items}
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    wrong = sorted(item_id for item_id in set(expected) & set(stored) if stored[item_id] != expected[item_id])
    failures = [f'process {number}: {failure}' for number, _, process_failures in reports for failure in process_failures]
    figures = (f'{writes} writes acknowledged of {MIXED_WRITERS * MIXED_OPERATIONS} operations, {len(failures)} failed '
               f'or saw a lost write; the file holds {len(items)} items for {len(expected)} expected: '
               f'{len(missing)} missing, {len(unexpected)} resurrected, {len(wrong)} with a stale value')
    print(figures)
    assert failures == [], f'{figures}. {first_lines(failures)}'
    assert (missing, unexpected) == ([], []), figures
    assert {item_id: stored[item_id] for item_id in wrong} == {item_id: expected[item_id] for item_id in wrong}, figures
    assert len(items) == len(stored), f'{figures}; duplicate ids in the file'


WRITER_SAVES = 200
SAVES_PER_READER_CYCLE = 10


def test_a_reader_opening_and_closing_in_a_loop_never_fails_or_rolls_back_a_writer(tmp_path, processes):
    # 3.3.0: 69-72% of the writer's saves failed (the reader's load removed the writer's temporary
    # file), and the reader's close saved its stale copy over the writer's newer file.
    path = tmp_path / 'items.json'
    start = SPAWN.Barrier(2)
    reader_cycles = SPAWN.Semaphore(0)
    done = SPAWN.Event()
    processes.start(write_in_sequence, str(path), WRITER_SAVES, SAVES_PER_READER_CYCLE, start, reader_cycles, done,
                    processes.results)
    processes.start(read_in_loop, str(path), start, reader_cycles, done, processes.results)
    reports = {report[0]: report for report in processes.reports(2)}
    processes.finish()

    _, acknowledged, writer_failures = reports['writer']
    _, cycles, reader_last_count, reader_failures = reports['reader']
    ids = stored_ids(path)
    figures = (f'writer: {acknowledged} of {WRITER_SAVES} saves acknowledged, {len(writer_failures)} failures; '
               f'reader: {cycles} cycles, last saw {reader_last_count} items, {len(reader_failures)} failures; '
               f'file: {len(ids)} items')
    print(figures)
    assert writer_failures == [], f'{figures}. Writer: {first_lines(writer_failures)}'
    assert reader_failures == [], f'{figures}. Reader: {first_lines(reader_failures)}'
    assert acknowledged == WRITER_SAVES, figures
    assert ids == [f'item-{number}' for number in range(WRITER_SAVES)], figures
    assert reader_last_count == WRITER_SAVES, figures
    assert cycles > WRITER_SAVES // SAVES_PER_READER_CYCLE, figures


# --- A writer killed while it holds the lock ------------------------------------------------------

SURVIVORS = 2
SURVIVOR_CREATES = 50


def test_a_writer_killed_while_holding_the_lock_releases_it_and_the_others_go_on(tmp_path, processes):
    path = tmp_path / 'items.json'
    seeded = seed(path, 3)
    ready = SPAWN.Barrier(SURVIVORS + 1)
    go = SPAWN.Event()
    for process_number in range(SURVIVORS):
        processes.start(create_after_signal, str(path), process_number, SURVIVOR_CREATES, ready, go, processes.results)
    ready.wait(PATIENCE_SECONDS)
    to_victim, victim_end = SPAWN.Pipe()
    victim = processes.start(write_paused_inside_replace, str(path), victim_end, processes.results)
    assert to_victim.poll(PATIENCE_SECONDS), 'the victim never acknowledged its first create'
    assert to_victim.recv() == 'acknowledged'
    assert to_victim.poll(PATIENCE_SECONDS), 'the victim never reached os.replace for the data file'
    victim_temporary_file = to_victim.recv()

    # Where the victim stands: inside its write, the lock held, its temporary file complete.
    assert write_lock_is_held(path), 'no write lock is held on .items.json.lock while replacing the file'
    assert TEMPORARY_NAME.match(victim_temporary_file), victim_temporary_file
    assert temporary_files_in(tmp_path) == [victim_temporary_file]
    go.set()
    victim.kill()
    victim.join(PATIENCE_SECONDS)
    assert victim.exitcode == -signal.SIGKILL

    reports = processes.reports(SURVIVORS)
    survivors = [process for process in processes.started if process is not victim]
    processes.finish(*survivors)
    acknowledged = [item_id for _, ids, _ in reports for item_id in ids]
    failures = [failure for _, _, process_failures in reports for failure in process_failures]
    ids = stored_ids(path)
    figures = (f'survivors: {len(acknowledged)} of {SURVIVORS * SURVIVOR_CREATES} creates acknowledged, '
               f'{len(failures)} failed; file: {len(ids)} items')
    print(figures)
    assert failures == [], f'{figures}. {first_lines(failures)}'
    assert sorted(ids) == sorted(seeded + ['writer-acknowledged'] + acknowledged), figures
    assert 'writer-in-flight' not in ids
    assert not write_lock_is_held(path)
    # The killed writer is gone, so its temporary file went with the survivors' writes.
    assert temporary_files_in(tmp_path) == []


def test_a_reader_neither_waits_for_nor_removes_the_temporary_file_of_a_writer_inside_its_write(tmp_path, processes):
    path = tmp_path / 'items.json'
    seeded = seed(path, 3)
    to_writer, writer_end = SPAWN.Pipe()
    writer = processes.start(write_paused_inside_replace, str(path), writer_end, processes.results)
    assert to_writer.poll(PATIENCE_SECONDS) and to_writer.recv() == 'acknowledged'
    assert to_writer.poll(PATIENCE_SECONDS), 'the writer never reached os.replace for the data file'
    writer_temporary_file = to_writer.recv()

    # A reader's whole life (open, read, close) while the writer is inside its write.
    reads: List[Any] = []

    def open_read_and_close() -> None:
        reader = open_file_persistence(path)
        reads.append(sorted(item['id'] for item in reader.get_list_by_filter(None, None)))
        reader.close(None)

    reading = threading.Thread(target=open_read_and_close, daemon=True)
    reading.start()
    reading.join(HANG_SECONDS)
    reader_waited = reading.is_alive()
    temporary_files_while_the_writer_is_inside = temporary_files_in(tmp_path)
    to_writer.send('go on')
    reading.join(PATIENCE_SECONDS)
    (_, failures), = processes.reports(1)
    processes.finish(writer)

    assert temporary_files_while_the_writer_is_inside == [writer_temporary_file]
    assert failures == []
    assert reads == [sorted(seeded + ['writer-acknowledged'])]
    assert sorted(stored_ids(path)) == sorted(seeded + ['writer-acknowledged', 'writer-in-flight'])
    assert temporary_files_in(tmp_path) == []
    assert not reader_waited, (f'a reader that changed nothing was still in open, read or close {HANG_SECONDS} s '
                               'after it started, while a writer held the lock: readers must not take it')


# --- Every object sees the others' writes at its next operation -----------------------------------

TURNS = 40


def test_two_processes_taking_turns_each_see_the_others_last_write_at_their_next_operation(tmp_path, processes):
    path = tmp_path / 'items.json'
    first_end, second_end = SPAWN.Pipe()
    processes.start(take_turns, str(path), True, TURNS, first_end, processes.results)
    processes.start(take_turns, str(path), False, TURNS, second_end, processes.results)
    reports = processes.reports(2)
    processes.finish()

    failures = [failure for _, _, process_failures in reports for failure in process_failures]
    assert failures == [], first_lines(failures)
    assert stored_ids(path) == [f'turn-{turn}' for turn in range(TURNS)]


def test_two_objects_in_one_process_each_see_the_others_writes(tmp_path):
    path = tmp_path / 'items.json'
    objects = [open_file_persistence(path), open_file_persistence(path)]
    failures = []
    for turn in range(TURNS):
        persistence = objects[turn % 2]
        failure = first_operation_failure(persistence, turn)
        if failure is not None:
            failures.append(failure)
        persistence.create(None, {'id': f'turn-{turn}'})
    assert failures == []
    assert objects[0].delete_by_id(None, 'turn-0') is not None
    assert objects[1].get_one_by_id(None, 'turn-0') is None
    for persistence in objects:
        persistence.close(None)
    assert stored_ids(path) == [f'turn-{turn}' for turn in range(1, TURNS)]


def test_a_file_replaced_by_another_program_is_seen_by_the_next_write(tmp_path):
    # Only this library counts its saves in the lock file; another program's change is found by
    # the check of the file itself that every write makes under the lock.
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': 'ours'})
    replacement = tmp_path / 'replacement.json'
    replacement.write_text('[{"id": "theirs"}]', encoding='utf-8')
    os.replace(replacement, path)

    persistence.create(None, {'id': 'after'})

    assert stored_ids(path) == ['theirs', 'after']


def test_two_plain_file_persistences_in_one_process_each_see_the_others_creates(tmp_path):
    path = tmp_path / 'names.json'
    objects = [FilePersistence(JsonFilePersister(str(path))), FilePersistence(JsonFilePersister(str(path)))]
    for persistence in objects:
        persistence.open(None)
    for turn in range(10):
        persistence = objects[turn % 2]
        assert persistence.get_list_by_filter(None, None) == [f'name-{number}' for number in range(turn)]
        persistence.create(None, f'name-{turn}')
    for persistence in objects:
        persistence.close(None)
    assert stored_items(path) == [f'name-{number}' for number in range(10)]


THREADS_PER_OBJECT = 2
THREAD_CREATES = 50


def test_threads_writing_through_two_objects_on_one_file_lose_nothing(tmp_path):
    # 3.3.0: of 322 creates that returned, 153 reached the file.
    path = tmp_path / 'items.json'
    objects = [open_file_persistence(path), open_file_persistence(path)]
    start = threading.Barrier(len(objects) * THREADS_PER_OBJECT)
    failures: List[str] = []

    def create_through(persistence: Any, thread_number: int) -> None:
        start.wait(PATIENCE_SECONDS)
        for number in range(THREAD_CREATES):
            try:
                persistence.create(None, {'id': f't{thread_number}-{number}'})
            except Exception as error:
                failures.append(f'thread {thread_number}, create {number}: {error!r}')

    threads = [threading.Thread(target=create_through, args=(objects[number % 2], number), daemon=True)
               for number in range(len(objects) * THREADS_PER_OBJECT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE_SECONDS)
    expected = sorted(f't{thread_number}-{number}' for thread_number in range(len(threads))
                      for number in range(THREAD_CREATES))
    assert failures == []
    assert sorted(stored_ids(path)) == expected
    assert [persistence.get_count_by_filter(None, None) for persistence in objects] == [len(expected)] * 2


# --- Nothing is written before a load -------------------------------------------------------------

WRITES_BEFORE_OPEN = {
    'create': (lambda persistence: persistence.create(None, {'id': 'new'}),
               lambda seeded: seeded + ['new']),
    'set': (lambda persistence: persistence.set(None, {'id': 'new'}),
            lambda seeded: seeded + ['new']),
    'update': (lambda persistence: persistence.update(None, {'id': 'seeded-2', 'value': 'updated'}),
               lambda seeded: seeded),
    'update_partially': (lambda persistence: persistence.update_partially(None, 'seeded-2', {'value': 'updated'}),
                         lambda seeded: seeded),
    'delete_by_id': (lambda persistence: persistence.delete_by_id(None, 'seeded-2'),
                     lambda seeded: [item_id for item_id in seeded if item_id != 'seeded-2']),
    'delete_by_filter': (lambda persistence: persistence.delete_by_filter(None, lambda item: item['id'] == 'seeded-2'),
                         lambda seeded: [item_id for item_id in seeded if item_id != 'seeded-2']),
}


@pytest.mark.parametrize('write', sorted(WRITES_BEFORE_OPEN))
def test_a_write_before_open_loads_the_file_first(tmp_path, write):
    # 3.3.0: create(None, {'id': 'new'}) on a never-opened persistence left ['new'] of 5 items.
    path = tmp_path / 'items.json'
    seeded = seed(path, 5)
    act, expected_ids = WRITES_BEFORE_OPEN[write]
    act(IdentifiableFilePersistence(JsonFilePersister(str(path))))
    assert stored_ids(path) == expected_ids(seeded)
    values = {item['id']: item.get('value') for item in stored_items(path)}
    assert values['seeded-1'] == 'seeded'
    if 'seeded-2' in values:
        assert values['seeded-2'] == ('updated' if write.startswith('update') else 'seeded')


READS_BEFORE_OPEN = {
    'get_count_by_filter': lambda persistence: persistence.get_count_by_filter(None, None) == 5,
    'get_one_by_id': lambda persistence: persistence.get_one_by_id(None, 'seeded-4') is not None,
    'get_list_by_filter': lambda persistence: len(persistence.get_list_by_filter(None, None)) == 5,
    'get_page_by_filter': lambda persistence: persistence.get_page_by_filter(None, None, None).total == 5,
}


@pytest.mark.parametrize('read', sorted(READS_BEFORE_OPEN))
def test_a_read_before_open_sees_the_file(tmp_path, read):
    path = tmp_path / 'items.json'
    seed(path, 5)
    before = file_state(path)
    assert READS_BEFORE_OPEN[read](IdentifiableFilePersistence(JsonFilePersister(str(path))))
    assert file_state(path) == before


def test_a_plain_file_persistence_created_on_before_open_keeps_the_file(tmp_path):
    path = tmp_path / 'names.json'
    JsonFilePersister(str(path)).save(None, ['a', 'b', 'c', 'd', 'e'])
    FilePersistence(JsonFilePersister(str(path))).create(None, 'f')
    assert stored_items(path) == ['a', 'b', 'c', 'd', 'e', 'f']


def test_a_write_before_open_on_an_unreadable_file_raises_and_leaves_the_file(tmp_path):
    path = tmp_path / 'items.json'
    path.write_text('[{"id": "1"}, {"id": ')
    before = file_state(path)
    with pytest.raises((FileException, InvalidStateException)) as raised:
        IdentifiableFilePersistence(JsonFilePersister(str(path))).create(None, {'id': 'new'})
    assert raised.value.code in ('READ_FAILED', 'LOAD_FAILED')
    assert file_state(path) == before


# --- close writes only unsaved changes ------------------------------------------------------------

class HandEditedPersistence(IdentifiableFilePersistence):
    """Changes ``self._items`` directly, as subclasses may, leaving the save to ``close`` or to
    an explicit ``save``."""

    def add_without_saving(self, item_id: str) -> None:
        with self._lock:
            self._items.append({'id': item_id})

    def held_ids(self) -> List[Any]:
        with self._lock:
            return [item['id'] for item in self._items]


def open_hand_edited(path: Path) -> HandEditedPersistence:
    persistence = HandEditedPersistence(JsonFilePersister(str(path)))
    persistence.open(None)
    return persistence


def seeded_with_an_unsaved_change(path: Path) -> Tuple[List[str], HandEditedPersistence]:
    """Seeds the file with 3 items and opens a persistence holding one more, not saved: the
    seeded ids and the persistence."""
    seeded = seed(path, 3)
    edited = open_hand_edited(path)
    edited.add_without_saving('unsaved')
    return seeded, edited


def test_an_object_that_changed_nothing_never_writes_not_even_over_a_newer_file(tmp_path):
    # 3.3.0: an admin script that only read rolled back another process's write at close.
    path = tmp_path / 'items.json'
    seeded = seed(path, 3)
    reader = open_file_persistence(path)
    assert reader.get_count_by_filter(None, None) == 3
    writer = open_file_persistence(path)
    writer.create(None, {'id': 'newer'})
    after_the_write = file_state(path)

    reader.close(None)
    assert file_state(path) == after_the_write
    writer.close(None)
    assert file_state(path) == after_the_write
    assert stored_ids(path) == seeded + ['newer']


def test_close_saves_the_changes_a_subclass_left_unsaved(tmp_path):
    path = tmp_path / 'items.json'
    seeded, persistence = seeded_with_an_unsaved_change(path)
    persistence.close(None)
    assert stored_ids(path) == seeded + ['unsaved']


def test_unsaved_changes_meeting_another_objects_write_raise_a_conflict_at_close_and_change_nothing(tmp_path):
    path = tmp_path / 'items.json'
    seeded, edited = seeded_with_an_unsaved_change(path)
    open_file_persistence(path).create(None, {'id': 'other'})
    after_the_write = file_state(path)

    with pytest.raises(ConflictException) as raised:
        edited.close(None)
    assert raised.value.code == 'CONCURRENT_CHANGE'
    assert file_state(path) == after_the_write
    assert edited.held_ids() == seeded + ['unsaved']


def test_an_explicit_save_of_unsaved_changes_never_drops_another_objects_write(tmp_path):
    path = tmp_path / 'items.json'
    seeded, edited = seeded_with_an_unsaved_change(path)
    open_file_persistence(path).create(None, {'id': 'other'})
    after_the_write = file_state(path)

    try:
        edited.save(None)
    except ConflictException as conflict:
        assert conflict.code == 'CONCURRENT_CHANGE'
        assert file_state(path) == after_the_write
    else:
        assert sorted(stored_ids(path)) == sorted(seeded + ['other', 'unsaved'])


# --- Descriptors ----------------------------------------------------------------------------------

def descriptors_of(path: Path) -> int:
    """How many of this process's descriptors are open on ``path`` (Linux only)."""
    if not os.path.isdir('/proc/self/fd'):
        pytest.skip('counting open descriptors needs /proc/self/fd, which this platform lacks')
    count = 0
    for descriptor in os.listdir('/proc/self/fd'):
        try:
            count += os.path.realpath(f'/proc/self/fd/{descriptor}') == str(path)
        except OSError:
            pass
    return count


def test_a_closed_or_dropped_persistence_holds_no_descriptor_of_its_file(tmp_path):
    # A data file still open keeps a volume from being unmounted, and a process that opens a
    # persistence per request or per test runs out of descriptors.
    path = tmp_path / 'items.json'
    seed(path, 3)
    closed = open_file_persistence(path)
    closed.create(None, {'id': 'new'})
    closed.close(None)
    assert descriptors_of(path) == 0, 'descriptors still open on the file after close'
    for _ in range(20):
        open_file_persistence(path).get_count_by_filter(None, None)
    gc.collect()
    assert descriptors_of(path) == 0, 'descriptors still open on the file after 20 persistences were dropped'


# --- Temporary files ------------------------------------------------------------------------------

LEFT_BY_A_DEAD_WRITER = '.items.json.0123456789abcdef.tmp'
OF_OTHER_FILES = ['.items.json.bak.0123456789abcdef.tmp', '.other.json.0123456789abcdef.tmp',
                  '.items.json.notes.tmp', 'items.json.0123456789abcdef.tmp']


def test_a_write_removes_the_temporary_files_of_this_file_left_by_a_dead_writer_and_no_others(tmp_path):
    # 3.3.0 also removed the sibling's `.items.json.bak.<hex>.tmp` when it cleaned up `items.json`.
    path = tmp_path / 'items.json'
    seed(path, 3)
    for name in [LEFT_BY_A_DEAD_WRITER] + OF_OTHER_FILES:
        (tmp_path / name).write_text('[]')
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': 'new'})
    assert temporary_files_in(tmp_path) == sorted(OF_OTHER_FILES)


# --- Paths that cannot be replaced atomically -----------------------------------------------------

def test_a_path_in_folders_that_do_not_exist_yet_opens_and_takes_writes(tmp_path):
    path = tmp_path / 'new' / 'deeper' / 'items.json'
    persistence = open_file_persistence(path)
    persistence.create(None, {'id': 'first'})
    assert stored_ids(path) == ['first']


def release_reader_of(fifo: Path) -> None:
    descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    os.close(descriptor)


def make_not_regular(path: Path, kind: str) -> None:
    if kind == 'fifo':
        os.mkfifo(path)
    elif kind == 'directory':
        path.mkdir()
    else:
        try:
            os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError as error:
            pytest.skip(f'creating a device node needs privileges this run lacks: {error}')


@pytest.mark.parametrize('kind', ['fifo', 'character device', 'directory'])
def test_a_path_that_is_not_a_regular_file_fails_to_open_with_read_failed_at_once(tmp_path, kind):
    # 3.3.0 waited forever for a writer to open the FIFO.
    path = tmp_path / 'items.json'
    make_not_regular(path, kind)
    mode_before = os.lstat(path).st_mode
    outcome: List[BaseException] = []

    def open_path() -> None:
        try:
            IdentifiableFilePersistence(JsonFilePersister(str(path))).open(None)
        except BaseException as error:
            outcome.append(error)

    opening = threading.Thread(target=open_path, daemon=True)
    opening.start()
    opening.join(HANG_SECONDS)
    if opening.is_alive():
        release_reader_of(path)
        opening.join(PATIENCE_SECONDS)
        pytest.fail(f'open on a {kind} did not return within {HANG_SECONDS} s')
    assert len(outcome) == 1 and isinstance(outcome[0], FileException), f'open on a {kind} gave {outcome}'
    assert outcome[0].code == 'READ_FAILED'
    assert os.lstat(path).st_mode == mode_before


@contextmanager
def bind_mount(source: Path, target: Path, read_only: bool = False) -> Iterator[None]:
    """Bind-mounts ``source`` on ``target``, or skips the test where this machine cannot."""
    if shutil.which('mount') is None:
        pytest.skip('bind mounts need the mount command, which this machine lacks')
    mounted = subprocess.run(['mount', '--bind', str(source), str(target)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f'mount --bind does not work here: {mounted.stderr.strip()}')
    try:
        if read_only:
            subprocess.run(['mount', '-o', 'remount,bind,ro', str(target)], check=True, capture_output=True)
        yield
    finally:
        unmounted = subprocess.run(['umount', str(target)], capture_output=True, text=True)
        if unmounted.returncode != 0:
            # Detached lazily, so that no mount outlives the test; then the failure is reported.
            subprocess.run(['umount', '--lazy', str(target)], capture_output=True)
    assert unmounted.returncode == 0, f'umount {target} after the test: {unmounted.stderr.strip()}'


def assert_not_replaceable(path: Path, *advice: str) -> None:
    """Opening ``path`` raises ``NOT_REPLACEABLE`` with a message naming the path and holding
    one of the words ``advice``, and leaves the file as it was."""
    before = file_state(path)
    with pytest.raises(FileException) as raised:
        IdentifiableFilePersistence(JsonFilePersister(str(path))).open(None)
    assert raised.value.code == 'NOT_REPLACEABLE', str(raised.value)
    message = str(raised.value)
    assert path.name in message and any(word in message.lower() for word in advice), message
    assert file_state(path) == before


def test_a_data_file_bind_mounted_on_its_own_is_refused_at_open(tmp_path):
    # As `docker run -v ./items.json:/app/items.json` does; 3.3.0 failed every write with EBUSY.
    source = tmp_path / 'host-items.json'
    seed(source, 2)
    app = tmp_path / 'app'
    app.mkdir()
    path = app / 'items.json'
    path.write_text('')
    with bind_mount(source, path):
        assert_not_replaceable(path, 'mount')


def test_a_data_file_in_a_bind_mounted_folder_is_fine(tmp_path):
    host = tmp_path / 'host'
    host.mkdir()
    seeded = seed(host / 'items.json', 2)
    app = tmp_path / 'app'
    app.mkdir()
    with bind_mount(host, app):
        persistence = open_file_persistence(app / 'items.json')
        persistence.create(None, {'id': 'new'})
        persistence.close(None)
    assert stored_ids(host / 'items.json') == seeded + ['new']


def test_a_data_file_in_a_read_only_mounted_folder_is_refused_at_open(tmp_path):
    host = tmp_path / 'host'
    host.mkdir()
    seed(host / 'items.json', 2)
    app = tmp_path / 'app'
    app.mkdir()
    with bind_mount(host, app, read_only=True):
        assert_not_replaceable(app / 'items.json', 'folder', 'director')


# Root may write any folder. These capabilities are what lets it: without them, a process running
# as root is held to the permission bits, as any other user is, yet can still read the interpreter
# wherever it is installed (a pyenv under /root, say), which a switch to another user could not.
OVERRIDING_CAPABILITIES = '-dac_override,-dac_read_search,-fowner'


def open_without_overriding_permissions(path: Path) -> Any:
    """Runs ``sharing_workers.print_open_outcome(path)`` in a process that cannot override
    permission bits, and returns what it printed."""
    setpriv = shutil.which('setpriv')
    if setpriv is None:
        pytest.skip('running as root, and setpriv (util-linux), which drops the capabilities that let '
                    'root write any folder, is not installed')
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), *sys.path]))
    command = [setpriv, '--inh-caps=-all', f'--bounding-set={OVERRIDING_CAPABILITIES}', sys.executable, '-c',
               'import sys, sharing_workers; sharing_workers.print_open_outcome(sys.argv[1])', str(path)]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=PATIENCE_SECONDS)
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def test_a_writable_data_file_in_a_folder_the_process_cannot_write_is_refused_at_open(tmp_path):
    folder = tmp_path / 'folder'
    folder.mkdir()
    path = folder / 'data.json'
    seed(path, 2)
    before = file_state(path)
    folder.chmod(0o555)
    try:
        if os.geteuid() != 0:
            assert_not_replaceable(path, 'folder', 'director')
            return
        printed = open_without_overriding_permissions(path)
        assert (printed['can_write_the_file'], printed['can_write_the_folder']) == (True, False)
        kind, exception_type, code, message = printed['outcome']
        assert (kind, exception_type, code) == ('raised', 'FileException', 'NOT_REPLACEABLE'), message
        assert path.name in message and any(word in message.lower() for word in ('folder', 'director')), message
        assert file_state(path) == before
    finally:
        folder.chmod(0o755)
