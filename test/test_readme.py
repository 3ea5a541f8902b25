"""Runs the Python examples of README.md and docs/*.md, so that the documents cannot promise what
the library does not do.

Every fenced block tagged ``python``, ``py``, ``python3`` or ``pycon`` is collected, wherever it
is; a new block, or a new page under ``docs/``, is picked up without touching this file. Each
block runs on its own, in a fresh module namespace, from its own temporary directory, which is
both the working directory and where :mod:`tempfile` puts what the example creates. A block
whose first line starts with ``>>>`` runs as a doctest, so the results it shows are checked.
Errors point at the document's own line numbers, and test ids name the document, the line and
the section of the block.

A block that imports ``pip_services3_container`` is skipped, with the reason, where that package
fails to import (on Python 3.13 its dependency ``pip_services3_expressions`` does). Blocks of
other languages are illustrations and are not run, except the README's two commands, which
``.ci/run`` runs; a test here checks that it finds exactly those two.
"""

import doctest
import re
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Dict, List, NamedTuple

import pytest

from support import why_the_container_cannot_be_imported

REPOSITORY = Path(__file__).resolve().parent.parent
DOCUMENTS = [REPOSITORY / 'README.md', *sorted((REPOSITORY / 'docs').glob('*.md'))]
PYTHON_TAGS = {'python', 'py', 'python3', 'pycon'}
FENCE = re.compile(r'^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)')
HEADING = re.compile(r'^(?P<level>#{1,6})\s+(?P<title>.+?)\s*#*\s*$')
LINK = re.compile(r'\[[^\]]*\]\((?P<target>[^)\s]+)\)')
CONTAINER_IMPORT = re.compile(r'^(?:>>> )?\s*(?:from|import)\s+pip_services3_container\b', re.MULTILINE)


class Block(NamedTuple):
    document: str  # the path from the repository root
    section: str  # the title of the last ``#`` or ``##`` heading above the block
    first_line: int  # the document's line number of the block's first code line
    tag: str  # the fence's language tag, lower case
    code: str

    @property
    def name(self) -> str:
        return f'{self.document}:{self.first_line} ({self.section})'


class Markdown(NamedTuple):
    blocks: List[Block]  # every fenced block
    headings: List[str]  # the titles of the headings outside fenced blocks


def read_markdown(text: str, document: str) -> Markdown:
    """Returns the fenced blocks of a Markdown text, with their section and position, and its headings."""
    blocks: List[Block] = []
    headings: List[str] = []
    section = '(before the first section)'
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        opening = FENCE.match(line)
        if opening is None:
            heading = HEADING.match(line)
            if heading is not None:
                headings.append(heading.group('title'))
                if len(heading.group('level')) <= 2:
                    section = heading.group('title')
            continue
        fence, indent = opening.group('fence'), len(opening.group('indent'))
        closing = re.compile(r'^ {0,3}' + re.escape(fence[0]) + '{' + str(len(fence)) + r',}\s*$')
        first_line = number + 1
        code_lines = []
        while number < len(lines) and not closing.match(lines[number]):
            # A fence indented by n spaces has its content indented by up to n spaces too.
            code_lines.append(re.sub(r'^ {0,%d}' % indent, '', lines[number]))
            number += 1
        number += 1  # the closing fence
        blocks.append(Block(document, section, first_line, opening.group('info').lower(),
                            '\n'.join(code_lines) + '\n'))
    return Markdown(blocks, headings)


def read_document(path: Path) -> Markdown:
    return read_markdown(path.read_text(encoding='utf-8'), path.relative_to(REPOSITORY).as_posix())


def python_blocks() -> List[Block]:
    return [block for path in DOCUMENTS for block in read_document(path).blocks if block.tag in PYTHON_TAGS]


def run_block(block: Block, namespace: Dict[str, object]) -> None:
    if block.code.lstrip().startswith('>>>'):
        run_as_doctest(block, namespace)
    else:
        # Padding with blank lines makes the line numbers of a traceback the document's.
        padded = '\n' * (block.first_line - 1) + block.code
        exec(compile(padded, str(REPOSITORY / block.document), 'exec'), namespace)


def run_as_doctest(block: Block, namespace: Dict[str, object]) -> None:
    test = doctest.DocTestParser().get_doctest(
        block.code, namespace, block.name, str(REPOSITORY / block.document), block.first_line - 1)
    test.globs = namespace  # DocTest runs in a copy; the caller's namespace sees what the block defined
    report: List[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=report.append, clear_globs=False)
    assert runner.failures == 0, ''.join(report)


def skip_unless_the_container_imports() -> None:
    reason = why_the_container_cannot_be_imported()
    if reason is not None:
        pytest.skip(reason)


def github_anchor(title: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r'[^\w\- ]', '', title.lower()).replace(' ', '-')


BLOCKS = python_blocks()


def test_every_document_is_collected_and_has_python_examples() -> None:
    # Guards the collection itself: a broken parser or path would otherwise test nothing, silently.
    names = {path.relative_to(REPOSITORY).as_posix() for path in DOCUMENTS}
    assert {'README.md', 'docs/README.md', 'docs/containers.md'} <= names
    assert {'README.md', 'docs/containers.md', 'docs/copies-and-ids.md'} <= {block.document for block in BLOCKS}


def test_blocks_are_found_with_their_sections_and_lines() -> None:
    text = '\n'.join([
        'Intro',                       # 1
        '```python',                   # 2
        'a = 1',                       # 3
        '```',                         # 4
        '## Usage',                    # 5
        '```sh',                       # 6
        'pip install x',               # 7
        '```',                         # 8
        '1. A list item:',             # 9
        '   ````py',                   # 10
        '   b = a',                    # 11
        '   ```',                      # 12
        '   ````',                     # 13
        '### Detail',                  # 14
        '~~~pycon',                    # 15
        '>>> 1 + 1',                   # 16
        '# Not a heading',             # 17
        '~~~',                         # 18
    ])
    assert read_markdown(text, 'page.md') == Markdown(
        blocks=[
            Block('page.md', '(before the first section)', 3, 'python', 'a = 1\n'),
            Block('page.md', 'Usage', 7, 'sh', 'pip install x\n'),
            Block('page.md', 'Usage', 11, 'py', 'b = a\n```\n'),
            Block('page.md', 'Usage', 16, 'pycon', '>>> 1 + 1\n# Not a heading\n'),
        ],
        headings=['Usage', 'Detail'],
    )


@pytest.mark.parametrize('block', BLOCKS, ids=[block.name for block in BLOCKS])
def test_a_python_example_runs_on_its_own(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if CONTAINER_IMPORT.search(block.code):
        skip_unless_the_container_imports()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))  # tempfile.mkdtemp() in examples too
    # A real module, so that what needs one (dataclasses, pickle, typing.get_type_hints) works.
    module = types.ModuleType('documented_example')
    monkeypatch.setitem(sys.modules, module.__name__, module)
    run_block(block, module.__dict__)


def test_a_failing_example_points_at_its_document_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    block = Block('docs/page.md', 'Somewhere', 40, 'python', 'x = 1\nraise ValueError(x)\n')
    with pytest.raises(ValueError) as raised:
        run_block(block, {})
    assert raised.traceback[-1].lineno + 1 == 41  # pytest's line numbers count from 0
    assert str(raised.traceback[-1].path).endswith('docs/page.md')


def test_a_doctest_block_checks_the_printed_results() -> None:
    namespace: Dict[str, object] = {}
    run_block(Block('README.md', 'Sessions', 10, 'pycon', '>>> total = 1 + 1\n>>> total\n2\n'), namespace)
    assert namespace['total'] == 2
    with pytest.raises(AssertionError, match='line 12'):
        run_block(Block('README.md', 'Sessions', 12, 'pycon', '>>> total\n3\n'), namespace)


def test_only_blocks_importing_the_container_depend_on_it() -> None:
    assert CONTAINER_IMPORT.search('import os\nfrom pip_services3_container import Container\n')
    assert CONTAINER_IMPORT.search('>>> import pip_services3_container.build\n')
    assert not CONTAINER_IMPORT.search('from pip_services3_components.build import Factory\n')
    assert not CONTAINER_IMPORT.search('# install pip_services3_container for a container\n')


@pytest.mark.parametrize('path', DOCUMENTS, ids=[path.relative_to(REPOSITORY).as_posix() for path in DOCUMENTS])
def test_relative_links_reach_an_existing_file_and_heading(path: Path) -> None:
    broken = []
    for link in LINK.finditer(path.read_text(encoding='utf-8')):
        target = link.group('target')
        if re.match(r'^[a-z]+:', target):
            continue  # https:, mailto:
        file_part, _, anchor = target.partition('#')
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f'{target}: no such file')
        elif anchor and linked.suffix == '.md':
            anchors = {github_anchor(title) for title in read_document(linked).headings}
            if anchor not in anchors:
                broken.append(f'{target}: no heading with that anchor')
    assert not broken, broken


def test_ci_finds_the_two_commands_of_the_readme() -> None:
    for tool in ('bash', 'awk'):
        if shutil.which(tool) is None:
            pytest.skip(f'{tool} is not installed; .ci/run needs it to read the README')
    script = (REPOSITORY / '.ci' / 'run').read_text(encoding='utf-8')
    function = re.search(r'^readme_commands\(\) \{\n.*?^\}\n', script, re.MULTILINE | re.DOTALL)
    assert function is not None, '.ci/run no longer defines readme_commands()'
    found = subprocess.run(['bash', '-c', function.group(0) + 'readme_commands'], cwd=REPOSITORY,
                           capture_output=True, text=True, check=True, timeout=60).stdout.splitlines()
    readme_commands = [block.code.strip() for block in read_document(REPOSITORY / 'README.md').blocks
                       if block.section == 'Two commands' and block.tag == 'sh']
    assert len(found) == 2
    assert found == readme_commands
