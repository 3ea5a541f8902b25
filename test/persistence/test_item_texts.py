"""A save encodes only the items that are not the very objects it saved last time."""

import json
import sys

import pytest

from pip_services3_data.persistence._item_texts import ItemTexts
from support import open_file_persistence


class CountingEncoder:
    def __init__(self):
        self.encoded = []

    def __call__(self, item, position):
        self.encoded.append(position)
        return json.dumps(item).encode()


def saved_texts(texts, items, encoder):
    encoder.encoded.clear()
    return texts.texts_of(items, encoder)


def numbered_items(count):
    return [{'id': str(number), 'value': number} for number in range(count)]


CHANGES = {
    'nothing': (lambda items: items, []),
    'append': (lambda items: items + [{'id': 'new'}], [10]),
    'insert at the front': (lambda items: [{'id': 'new'}] + items, [0]),
    'delete from the middle': (lambda items: items[:4] + items[5:], []),
    'replace one': (lambda items: items[:3] + [{'id': '3', 'value': 'changed'}] + items[4:], [3]),
    'replace several, as one group commit does': (
        lambda items: [dict(item, value='changed') if number in (2, 5, 8) else item
                       for number, item in enumerate(items)], [2, 5, 8]),
    # Equal is not enough: 1 and 1.0 are equal, and their texts differ.
    'replace with an equal item': (lambda items: items[:6] + [{'id': '6', 'value': 6.0}] + items[7:], [6]),
}


@pytest.mark.parametrize('change', list(CHANGES), ids=list(CHANGES))
def test_a_save_encodes_exactly_the_items_that_are_new_objects(change):
    texts, encoder = ItemTexts(), CountingEncoder()
    items = numbered_items(10)
    saved_texts(texts, items, encoder)
    assert encoder.encoded == list(range(10))

    changed_list, expected_positions = CHANGES[change]
    changed = changed_list(items)
    result = saved_texts(texts, changed, encoder)

    assert sorted(encoder.encoded) == expected_positions
    assert result == [json.dumps(item).encode() for item in changed]


def test_forget_makes_the_next_save_encode_every_item():
    texts, encoder = ItemTexts(), CountingEncoder()
    items = numbered_items(5)
    saved_texts(texts, items, encoder)
    items[2]['value'] = 'changed in place'
    texts.forget()

    assert saved_texts(texts, items, encoder) == [json.dumps(item).encode() for item in items]
    assert encoder.encoded == list(range(5))


def test_one_update_on_a_file_persistence_encodes_one_item(tmp_path, monkeypatch):
    persistence = open_file_persistence(tmp_path / 'items.json')
    for number in range(20):
        persistence.create(None, {'id': str(number), 'value': number})
    persister_module = sys.modules[type(persistence._saver).__module__]
    encoded = []
    real_item_to_json = persister_module.item_to_json

    def counting_item_to_json(item, position):
        encoded.append(position)
        return real_item_to_json(item, position)

    monkeypatch.setattr(persister_module, 'item_to_json', counting_item_to_json)
    persistence.update(None, {'id': '7', 'value': 'changed'})

    assert encoded == [7]
    stored = json.loads((tmp_path / 'items.json').read_bytes())
    assert stored[7] == {'id': '7', 'value': 'changed'} and len(stored) == 20


def test_an_encoding_that_raises_leaves_nothing_half_remembered():
    texts, encoder = ItemTexts(), CountingEncoder()
    items = numbered_items(6)
    saved_texts(texts, items, encoder)

    def fails_on_the_second(item, position):
        if position == 4:
            raise TypeError('cannot encode')
        return encoder(item, position)

    changed = [dict(item, value='changed') if number in (1, 4) else item for number, item in enumerate(items)]
    with pytest.raises(TypeError):
        texts.texts_of(changed, fails_on_the_second)

    assert saved_texts(texts, changed, encoder) == [json.dumps(item).encode() for item in changed]
    assert encoder.encoded == list(range(6))
