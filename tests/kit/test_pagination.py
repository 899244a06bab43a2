import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.errors import ValidationFailed
from mercato.kit.pagination import clamp_limit, decode_cursor, encode_cursor, next_cursor


@given(st.uuids())
def test_cursor_round_trip(value):
    assert decode_cursor(encode_cursor(value)) == value


@pytest.mark.parametrize("cursor", ["!!", "abc", "a" * 40])
def test_bad_cursor_is_a_validation_error(cursor):
    with pytest.raises(ValidationFailed):
        decode_cursor(cursor)


def test_next_cursor_only_when_there_is_more():
    ids = [uuid.uuid4() for _ in range(3)]
    assert next_cursor(ids, 3) is None
    assert decode_cursor(next_cursor(ids, 2)) == ids[1]


@pytest.mark.parametrize("limit", [0, 101, -5])
def test_limits_are_bounded(limit):
    with pytest.raises(ValidationFailed):
        clamp_limit(limit)
