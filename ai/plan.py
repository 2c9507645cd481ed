"""The plan: what the interpreter proposes and what `apply` runs, validated by Pydantic.

Its JSON form is a public interface (`metasaas ask --dry-run --format json > plan.json`,
then `metasaas apply plan.json`): `{"steps": [{"action_id", "input"}], "explanation",
"source"}`. Nothing else is accepted, so a stored plan cannot smuggle options in.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from core.errors import InvalidInput

MAX_STEPS = 10
MAX_COMMAND = 2_000
MAX_PLAN_BYTES = 256_000
ActionId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", max_length=127)
]


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action_id: ActionId
    input: dict[str, Any] = {}


class Plan(BaseModel):
    """An ordered list of bus actions, empty when the request could not be mapped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: list[Step] = Field(default_factory=list, max_length=MAX_STEPS)
    explanation: Annotated[str, StringConstraints(max_length=2_000)] = ""
    source: Literal["model", "offline"] = "offline"

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def canonical(self) -> str:
        return json.dumps(self.public(), sort_keys=True, separators=(",", ":"))


def empty(message: str, source: Literal["model", "offline"] = "offline") -> Plan:
    return Plan(steps=[], explanation=message, source=source)


def check_command(command: str) -> str:
    """The 2,000-character limit, checked before any interpreter or model sees the text."""
    if not isinstance(command, str) or len(command) > MAX_COMMAND:
        raise InvalidInput(
            f"a command is at most {MAX_COMMAND} characters",
            {
                "errors": [
                    {
                        "field": "command",
                        "code": "too_long",
                        "message": f"at most {MAX_COMMAND} characters",
                    }
                ]
            },
        )
    if "\x00" in command:
        raise InvalidInput(
            "a command must not contain a NUL character",
            {"errors": [{"field": "command", "code": "nul", "message": "NUL character"}]},
        )
    return command


def command_sha256(command: str) -> str:
    return hashlib.sha256(command.encode("utf-8")).hexdigest()


def load(text: str | bytes) -> Plan:
    """Read a stored plan (`apply`): JSON of exactly the public form, or `invalid_input`."""
    if len(text) > MAX_PLAN_BYTES:
        raise InvalidInput(f"a plan file is at most {MAX_PLAN_BYTES} bytes", {"errors": []})
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the plan is not valid JSON", {"errors": []}) from None
    return from_data(data)


def from_data(data: Any) -> Plan:
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        errors = describe_errors(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise InvalidInput(f"invalid plan: {summary}", {"errors": errors}) from None


def describe_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(p) for p in err["loc"]) or "plan",
            "code": str(err["type"]),
            "message": str(err["msg"]).removeprefix("Value error, "),
        }
        for err in exc.errors(include_input=False, include_url=False)
    ]
