"""Durable file storage: kills, failing system calls and many threads never cost a whole file.

3.2.3 truncated the file and then serialised into it, so an error or a kill mid-save left an
empty or half-written file, and the next start loaded that as an empty store and overwrote it.
These tests pin the replacement: a save builds a temporary file, fsyncs it, renames it over the
old one and fsyncs the directory, and memory is rolled back whenever the file was not replaced.
"""

import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from pip_services3_commons.errors import FileException

from pip_services3_data.persistence import JsonFilePersister
from support import all_items, open_file_persistence

real_open = os.open
real_write = os.write
real_fsync = os.fsync
real_replace = os.replace


def items_sorted_by_id(persistence):
    return sorted(all_items(persistence), key=lambda item: item['id'])


def assert_memory_equals_file(persistence, path):
    reopened = open_file_persistence(path)
    assert items_sorted_by_id(persistence) == items_sorted_by_id(reopened)
    assert persistence.get_count_by_filter(None, None) == reopened.get_count_by_filter(None, None)
    assert sorted(json.loads(path.read_bytes()), key=lambda item: item['id']) == items_sorted_by_id(persistence)


def temporary_files_in(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith('.tmp'))


def is_regular_file(descriptor):
    return stat.S_ISREG(os.fstat(descriptor).st_mode)


def is_directory(descriptor):
    return stat.S_ISDIR(os.fstat(descriptor).st_mode)


# --- A process killed at random moments -----------------------------------------------------------

WRITER_SCRIPT = '''
import sys
from pip_services3_data.persistence import IdentifiableFilePersistence, JsonFilePersister

path = sys.argv[1]
# Stand by, imports done, until the test lets this writer start: one writer per file.
sys.stdin.readline()
persistence = IdentifiableFilePersistence(JsonFilePersister(path))
persistence.open(None)
sequence = persistence.get_count_by_filter(None, None)
while True:
    persistence.create(None, {'id': 'item-%d' % sequence, 'sequence': sequence, 'payload': 'x' * 250})
    sequence += 1
    # Printed once the create returned: this many items are acknowledged as stored.
    print(sequence, flush=True)
'''

KILLS = 24
SEEDED_ITEMS = 2500


def start_writer(script, path):
    return subprocess.Popen([sys.executable, str(script), str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop(process):
    if process.poll() is None:
        process.kill()
    process.wait()


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_file_or_loses_an_acknowledged_item(tmp_path):
    # 3.2.3 defect: a kill between the truncate and the end of the write emptied the file.
    path = tmp_path / 'data' / 'items.json'
    script = tmp_path / 'writer.py'
    script.write_text(WRITER_SCRIPT)
    JsonFilePersister(str(path)).save(None, [
        {'id': 'item-%d' % sequence, 'sequence': sequence, 'payload': 'x' * 250} for sequence in range(SEEDED_ITEMS)
    ])
    moments = random.Random(20240501)
    previous_count = SEEDED_ITEMS
    kills_that_left_a_temporary_file = 0

    standby = start_writer(script, path)
    writer = standby
    try:
        for kill in range(KILLS):
            # The next writer imports while this one runs; it touches nothing until told to go.
            writer, standby = standby, start_writer(script, path)
            writer.stdin.write(b'go\n')
            writer.stdin.flush()
            first_acknowledgement = writer.stdout.readline()
            assert first_acknowledgement, writer.stderr.read().decode()
            try:
                writer.wait(timeout=moments.uniform(0.0, 0.1))
            except subprocess.TimeoutExpired:
                pass
            writer.kill()
            writer.wait()
            assert writer.returncode == -signal.SIGKILL, writer.stderr.read().decode()
            acknowledged = int((first_acknowledgement + writer.stdout.read()).split()[-1])
            if temporary_files_in(path.parent):
                kills_that_left_a_temporary_file += 1

            items = json.loads(path.read_bytes())

            context = f'kill {kill}: {acknowledged} acknowledged, previously {previous_count}'
            assert isinstance(items, list), context
            # Every acknowledged create is there; at most the one in flight got in besides.
            assert acknowledged <= len(items) <= acknowledged + 1, context
            assert len(items) >= previous_count, context
            assert [item['sequence'] for item in items] == list(range(len(items))), context
            assert all(item['payload'] == 'x' * 250 for item in items), context
            reopened = open_file_persistence(path)
            assert reopened.get_count_by_filter(None, None) == len(items), context
            assert reopened.get_one_by_id(None, 'item-%d' % (len(items) - 1)) == items[-1], context
            assert temporary_files_in(path.parent) == [], context
            previous_count = len(items)
    finally:
        stop(writer)
        stop(standby)

    assert previous_count >= SEEDED_ITEMS + KILLS
    print(f'{kills_that_left_a_temporary_file} of {KILLS} kills left a temporary file')


# --- A system call failing at each step of a save -------------------------------------------------

def fail_for_temporary_files(error):
    def fake_open(path, flags, *args, **kwargs):
        if str(path).endswith('.tmp'):
            raise error
        return real_open(path, flags, *args, **kwargs)
    return fake_open


def disk_filling_up(descriptor, content):
    """A write that fills the disk halfway through."""
    written = real_write(descriptor, bytes(content[:len(content) // 2]))
    if written:
        raise OSError(errno.ENOSPC, 'No space left on device')
    return written


def fail_for_regular_files(error):
    def fake_fsync(descriptor):
        if is_regular_file(descriptor):
            raise error
        return real_fsync(descriptor)
    return fake_fsync


def raise_error(error):
    def fake(*args, **kwargs):
        raise error
    return fake


FAULTS = {
    'open-temporary-ENOSPC': ('open', fail_for_temporary_files(OSError(errno.ENOSPC, 'No space left on device'))),
    'open-temporary-EACCES': ('open', fail_for_temporary_files(PermissionError(errno.EACCES, 'Permission denied'))),
    'write-ENOSPC': ('write', disk_filling_up),
    'fsync-file-EIO': ('fsync', fail_for_regular_files(OSError(errno.EIO, 'Input/output error'))),
    'fsync-file-ENOSPC': ('fsync', fail_for_regular_files(OSError(errno.ENOSPC, 'No space left on device'))),
    'chmod-EPERM': ('fchmod', raise_error(PermissionError(errno.EPERM, 'Operation not permitted'))),
    'replace-EACCES': ('replace', raise_error(PermissionError(errno.EACCES, 'Permission denied'))),
    'replace-EBUSY': ('replace', raise_error(OSError(errno.EBUSY, 'Device or resource busy'))),
}

OPERATIONS = {
    'create': lambda persistence: persistence.create('123', {'id': '4', 'name': 'Dave'}),
    'set-new': lambda persistence: persistence.set('123', {'id': '4', 'name': 'Dave'}),
    'set-existing': lambda persistence: persistence.set('123', {'id': '2', 'name': 'Bobby'}),
    'update': lambda persistence: persistence.update('123', {'id': '2', 'name': 'Bobby'}),
    'update_partially': lambda persistence: persistence.update_partially('123', '2', {'name': 'Bobby'}),
    'delete_by_id': lambda persistence: persistence.delete_by_id('123', '2'),
    'delete_by_ids': lambda persistence: persistence.delete_by_ids('123', ['1', '3']),
    'delete_by_filter': lambda persistence: persistence.delete_by_filter('123', lambda item: item.name < 'C'),
    'clear': lambda persistence: persistence.clear('123'),
}


@pytest.fixture
def three_people(tmp_path):
    path = tmp_path / 'people.json'
    persistence = open_file_persistence(path)
    for item_id, name in [('1', 'Alice'), ('2', 'Bob'), ('3', 'Carol')]:
        persistence.create(None, {'id': item_id, 'name': name})
    return persistence, path


@pytest.mark.parametrize('operation', list(OPERATIONS), ids=list(OPERATIONS))
@pytest.mark.parametrize('fault', list(FAULTS), ids=list(FAULTS))
def test_a_save_failing_at_any_step_leaves_the_old_file_and_memory_as_they_were(three_people, fault, operation):
    # 3.2.3 defect: the file was truncated before the write, so any failure emptied it.
    persistence, path = three_people
    old_content = path.read_bytes()
    items_before = items_sorted_by_id(persistence)
    system_call, fake = FAULTS[fault]

    with mock.patch.object(os, system_call, fake):
        with pytest.raises(FileException) as raised:
            OPERATIONS[operation](persistence)

    assert raised.value.code == 'WRITE_FAILED'
    assert str(path) in raised.value.message
    assert isinstance(raised.value.cause, OSError)
    assert path.read_bytes() == old_content
    assert temporary_files_in(path.parent) == []
    assert items_sorted_by_id(persistence) == items_before
    assert_memory_equals_file(persistence, path)

    # With the fault gone the same write goes through, once.
    OPERATIONS[operation](persistence)
    assert path.read_bytes() != old_content
    assert_memory_equals_file(persistence, path)
    assert len({item['id'] for item in items_sorted_by_id(persistence)}) == persistence.get_count_by_filter(None, None)


def test_a_save_that_cannot_create_the_parent_directory_raises_write_failed(tmp_path):
    blocking_file = tmp_path / 'not-a-directory'
    blocking_file.write_bytes(b'')
    path = blocking_file / 'data.json'

    with pytest.raises(FileException) as raised:
        JsonFilePersister(str(path)).save(None, [{'id': '1'}])

    assert raised.value.code == 'WRITE_FAILED'
    assert isinstance(raised.value.cause, OSError)


def test_the_file_and_then_the_directory_are_fsynced_before_a_save_returns(three_people):
    persistence, path = three_people
    steps = []

    def recording_fsync(descriptor):
        steps.append('fsync directory' if is_directory(descriptor) else 'fsync file')
        return real_fsync(descriptor)

    def recording_replace(source, target):
        steps.append('replace')
        return real_replace(source, target)

    with mock.patch.object(os, 'fsync', recording_fsync), mock.patch.object(os, 'replace', recording_replace):
        persistence.create(None, {'id': '4', 'name': 'Dave'})

    assert steps == ['fsync file', 'replace', 'fsync directory']


@pytest.mark.parametrize('fault', ['fsync-EIO', 'open-EACCES'])
def test_a_failing_directory_fsync_does_not_fail_the_write(three_people, fault):
    # The replace already happened: the new file is in place and cannot be taken back.
    persistence, path = three_people

    def failing_directory_fsync(descriptor):
        if is_directory(descriptor):
            raise OSError(errno.EIO, 'Input/output error')
        return real_fsync(descriptor)

    def failing_directory_open(open_path, flags, *args, **kwargs):
        if os.path.isdir(open_path):
            raise PermissionError(errno.EACCES, 'Permission denied')
        return real_open(open_path, flags, *args, **kwargs)

    if fault == 'fsync-EIO':
        patch = mock.patch.object(os, 'fsync', failing_directory_fsync)
    else:
        patch = mock.patch.object(os, 'open', failing_directory_open)
    with patch:
        created = persistence.create(None, {'id': '4', 'name': 'Dave'})

    assert created == {'id': '4', 'name': 'Dave'}
    assert [item['id'] for item in json.loads(path.read_bytes())] == ['1', '2', '3', '4']
    assert temporary_files_in(path.parent) == []
    assert_memory_equals_file(persistence, path)


# --- Many threads on one persistence --------------------------------------------------------------

THREADS = 8
STEPS_PER_THREAD = 40


def item_of(owner, step, version):
    item_id = f't{owner}-{step}'
    return {'id': item_id, 'owner': owner, 'version': version, 'checksum': f'{item_id}:{version}'}


def run_mixed_writes(persistence, owner, start, steps, on_write_failed=None):
    """Creates, updates and deletes this thread's own items; returns what should be stored.

    Only this thread touches its items, so after every step the store must show exactly
    what the thread did, whatever the other threads are doing.
    """
    choices = random.Random(owner)
    expected = {}
    start.wait()
    for step in range(steps):
        kind = 'create' if not expected or choices.random() < 0.4 else \
            choices.choice(['update', 'update_partially', 'delete_by_id'])
        item_id = f't{owner}-{step}' if kind == 'create' else choices.choice(sorted(expected))
        try:
            if kind == 'create':
                stored = persistence.create(None, item_of(owner, step, 0))
                assert stored == item_of(owner, step, 0)
                expected[item_id] = stored
            elif kind == 'update':
                version = expected[item_id]['version'] + 1
                changed = dict(expected[item_id], version=version, checksum=f'{item_id}:{version}')
                assert persistence.update(None, changed) == changed
                expected[item_id] = changed
            elif kind == 'update_partially':
                version = expected[item_id]['version'] + 1
                fields = {'version': version, 'checksum': f'{item_id}:{version}'}
                changed = dict(expected[item_id], **fields)
                assert persistence.update_partially(None, item_id, fields) == changed
                expected[item_id] = changed
            else:
                assert persistence.delete_by_id(None, item_id) == expected.pop(item_id)
        except FileException as error:
            if on_write_failed is None or error.code != 'WRITE_FAILED':
                raise
            on_write_failed()
        assert persistence.get_one_by_id(None, item_id) == expected.get(item_id)
    mine = persistence.get_list_by_filter(None, lambda item: item.owner == owner)
    assert sorted(mine, key=lambda item: item['id']) == [expected[item_id] for item_id in sorted(expected)]
    return expected


def test_threads_writing_at_once_lose_no_update(tmp_path):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    start = threading.Barrier(THREADS)

    with ThreadPoolExecutor(THREADS) as pool:
        runs = [pool.submit(run_mixed_writes, persistence, owner, start, STEPS_PER_THREAD) for owner in range(THREADS)]
        expected = {item_id: item for run in runs for item_id, item in run.result().items()}

    expected_items = [expected[item_id] for item_id in sorted(expected)]
    assert items_sorted_by_id(persistence) == expected_items
    assert items_sorted_by_id(open_file_persistence(path)) == expected_items
    assert temporary_files_in(tmp_path) == []


def test_saves_failing_while_threads_write_leave_no_thread_a_corrupted_store(tmp_path, monkeypatch):
    path = tmp_path / 'items.json'
    persistence = open_file_persistence(path)
    failing_every = 5
    counter_lock = threading.Lock()
    file_fsyncs = []
    failures_seen = []

    def disk_full_on_every_fifth_save(descriptor):
        if is_regular_file(descriptor):
            with counter_lock:
                file_fsyncs.append(descriptor)
                if len(file_fsyncs) % failing_every == 0:
                    raise OSError(errno.ENOSPC, 'No space left on device')
        return real_fsync(descriptor)

    def note_failure():
        with counter_lock:
            failures_seen.append(1)

    writers_done = threading.Event()

    def read_until_writers_are_done():
        reads = 0
        while not writers_done.is_set() or reads == 0:
            snapshot = persistence.get_list_by_filter(None, None)
            assert len({item.id for item in snapshot}) == len(snapshot)
            for item in snapshot:
                assert item.checksum == f'{item.id}:{item.version}'
            reads += 1
        return reads

    start = threading.Barrier(THREADS + 1)
    monkeypatch.setattr(os, 'fsync', disk_full_on_every_fifth_save)
    with ThreadPoolExecutor(THREADS + 1) as pool:
        reader = pool.submit(lambda: (start.wait(), read_until_writers_are_done())[1])
        runs = [pool.submit(run_mixed_writes, persistence, owner, start, 25, note_failure) for owner in range(THREADS)]
        try:
            expected = {item_id: item for run in runs for item_id, item in run.result().items()}
        finally:
            writers_done.set()
        assert reader.result() > 0
    monkeypatch.undo()

    assert len(failures_seen) == len(file_fsyncs) // failing_every > 0
    expected_items = [expected[item_id] for item_id in sorted(expected)]
    assert items_sorted_by_id(persistence) == expected_items
    assert_memory_equals_file(persistence, path)
    assert temporary_files_in(tmp_path) == []
