"""An AI command counts against the caller's AI rate limit before any model sees it."""

from __future__ import annotations

from typing import Any

import pytest

from core.contracts import Caller
from core.errors import RateLimited
from tests.ai import stub_server as s
from tests.ai.conftest import ai_settings, interpreter
from tests.ai.stub_server import StubModel
from tests.conftest import make_app


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_second_command_in_a_minute_never_reaches_the_model(
    db_url: str, stub: StubModel, user: Caller
) -> None:
    settings: dict[str, Any] = {**ai_settings(stub), "rate_limit_ai": "1/minute"}
    app = make_app(db_url, **settings)
    try:
        for _ in range(2):
            stub.enqueue(s.tools(("task__create", {"title": "Call the supplier"})))
        interpreter(app, user).interpret("add a task to call the supplier")
        asked = len(stub.requests)
        with pytest.raises(RateLimited) as info:
            interpreter(app, user).interpret("add a task to call the supplier")
        assert len(stub.requests) == asked
        assert info.value.details["scope"] == "ai" and info.value.details["retry_after"] >= 1
    finally:
        app.close()
