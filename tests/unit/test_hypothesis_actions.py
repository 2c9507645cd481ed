"""Whatever JSON a caller sends, validation answers with a model or `invalid_input`.

Any other exception would surface as `internal`, so this is the property that keeps
malformed input from ever looking like a server fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import entities
from core.errors import InvalidInput
from core.model import inputs
from core.model.registry import Registry

REGISTRY = Registry(entities.DOMAIN)
ACTION_IDS = sorted(REGISTRY.actions)

# Text that a terminal or a script could plausibly send, plus what no column can hold.
awkward = st.sampled_from(["\x00", "\ud800", "\udfff", "'", ";", "-", "é", "\n", "%", "_"])
text = st.text(alphabet=st.one_of(st.characters(), awkward), max_size=40)
offsets = st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
# Both ends of the calendar are where conversions to UTC overflow, so they get extra weight.
calendar_edges = st.datetimes(max_value=dt.datetime(1, 1, 2)) | st.datetimes(
    min_value=dt.datetime(9999, 12, 30)
)
iso_datetimes = (st.datetimes() | calendar_edges).flatmap(
    lambda d: (st.none() | offsets).map(lambda tz: d.replace(tzinfo=tz).isoformat())
)
shaped = st.one_of(
    st.uuids().map(str),
    iso_datetimes,
    st.dates().map(dt.date.isoformat),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["todo", "done", "high", "start", "https://example.com", "a@example.com"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
    shaped,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)


def payloads(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Declared fields get values shaped like real ones half the time; strangers get anything."""
    declared = st.fixed_dictionaries(
        {}, optional={name: shaped | json_values for name in sorted(model.model_fields)}
    )
    strangers = st.dictionaries(text, json_values, max_size=2)
    return st.tuples(declared, strangers).map(lambda parts: {**parts[1], **parts[0]})


def check(model: type[BaseModel], payload: Any) -> None:
    try:
        result = inputs.validate(model, payload)
    except InvalidInput as error:
        assert error.code == "invalid_input"
        assert isinstance(error.details.get("errors"), list)
        return
    assert isinstance(result, model)


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_validation_only_ever_raises_invalid_input(action_id: str) -> None:
    model = REGISTRY.input_model(REGISTRY.actions[action_id])

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(payload=payloads(model))
    def run(payload: dict[str, Any]) -> None:
        check(model, payload)

    run()
