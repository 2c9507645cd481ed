"""One error hierarchy with one class per stable code."""

from __future__ import annotations

from collections import defaultdict

import pytest

from core import errors
from core.errors import ERROR_CODES, MetaSaasError


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _core_error_classes() -> list[type[MetaSaasError]]:
    """The classes raised for a code; a shared base (FieldErrors) is not one of them."""
    found = [c for c in _subclasses(MetaSaasError) if c.__module__ == errors.__name__]
    return [c for c in found if not c.__subclasses__()]


def test_error_codes_are_distinct() -> None:
    assert len(set(ERROR_CODES)) == len(ERROR_CODES)


def test_every_code_has_exactly_one_class() -> None:
    by_code: dict[str, list[str]] = defaultdict(list)
    for cls in _core_error_classes():
        by_code[cls.code].append(cls.__name__)
    assert {code: len(by_code[code]) for code in ERROR_CODES} == dict.fromkeys(ERROR_CODES, 1)


def test_every_class_has_a_known_code() -> None:
    unknown = {c.__name__: c.code for c in _core_error_classes() if c.code not in ERROR_CODES}
    assert unknown == {}


@pytest.mark.parametrize("cls", _core_error_classes(), ids=lambda c: c.__name__)
def test_to_dict_shape(cls: type[MetaSaasError]) -> None:
    error = cls("Something went wrong.", {"field": "title"})
    details: dict[str, object] = {"field": "title"}
    if issubclass(cls, errors.FieldErrors):  # a form puts each message next to its field
        details["errors"] = [
            {"field": "title", "code": cls.code, "message": "Something went wrong."}
        ]
    assert error.to_dict() == {
        "code": cls.code,
        "message": "Something went wrong.",
        "details": details,
    }
    assert str(error) == "Something went wrong."
    assert isinstance(error, MetaSaasError)


def test_details_default_to_an_empty_dict_not_shared() -> None:
    first, second = errors.NotFound("a"), errors.NotFound("b")
    first.details["x"] = 1
    assert second.details == {}
    assert first.to_dict()["details"] == {"x": 1}


def test_definition_error_is_not_a_caller_facing_error() -> None:
    assert not issubclass(errors.DefinitionError, MetaSaasError)
    assert issubclass(errors.DefinitionError, ValueError)


def test_field_errors_collect_every_problem_in_one_answer() -> None:
    problems = [
        errors.field_error("title", "missing", "Field required"),
        errors.field_error("due_date", "date_from_datetime_parsing", "must be an ISO date"),
    ]
    error = errors.InvalidInput.of(problems)
    assert error.details["errors"] == problems
    assert "title: Field required" in error.message and "due_date" in error.message
    assert "field" not in error.details  # several fields: no single one named
