"""Cross-entity rules the registry checks once at start-up: targets, inverses, names, actions."""

from __future__ import annotations

from typing import Any

import pytest

from core.contracts import (
    CustomAction,
    DefinitionError,
    Domain,
    Entity,
    Transition,
    Workflow,
    belongs_to,
    define_entity,
    has_many,
)
from core.db.platform_tables import PLATFORM_TABLES
from core.model.registry import Registry
from tests.unit.builders import GOOD_FIELDS, make


def flow(*transitions: Transition) -> tuple[Workflow, ...]:
    return (Workflow(field="state", transitions=transitions),)


def registry_refuses(*entities: Entity, actions: tuple[CustomAction, ...] = ()) -> str:
    with pytest.raises(DefinitionError) as info:
        Registry(Domain(entities=entities, actions=actions))
    return str(info.value)


def test_relationship_to_unknown_entity_refused() -> None:
    widget = make(relationships=(belongs_to("maker", "Maker"),))
    message = registry_refuses(widget)
    assert "Widget" in message
    assert "maker" in message
    assert "Maker" in message


def test_has_many_to_unknown_entity_refused() -> None:
    message = registry_refuses(make(relationships=(has_many("parts", "Part"),)))
    assert "parts" in message
    assert "Part" in message


def test_has_many_without_back_reference_refused() -> None:
    maker = make("Maker", relationships=(has_many("widgets", "Widget"),))
    message = registry_refuses(maker, make())
    assert "Maker" in message
    assert "widgets" in message


def test_has_many_with_back_reference_accepted() -> None:
    maker = make("Maker", relationships=(has_many("widgets", "Widget", inverse="maker"),))
    widget = make(relationships=(belongs_to("maker", "Maker"),))
    registry = Registry(Domain(entities=(maker, widget)))
    assert "widget.create" in registry.actions


def test_has_many_naming_a_missing_inverse_refused() -> None:
    maker = make("Maker", relationships=(has_many("widgets", "Widget", inverse="builder"),))
    widget = make(relationships=(belongs_to("maker", "Maker"),))
    assert "widgets" in registry_refuses(maker, widget)


def _pascal(table: str) -> str:
    return "".join(part.title() for part in table.split("_"))


@pytest.mark.parametrize("table", [t.name for t in PLATFORM_TABLES])
def test_table_clashing_with_platform_table_refused(table: str) -> None:
    clash = make("Clash", plural=_pascal(table))
    assert clash.table_name == table
    message = registry_refuses(clash)
    assert "Clash" in message
    assert table in message


def test_entity_named_user_is_refused_even_before_the_registry() -> None:
    with pytest.raises(DefinitionError, match="User"):
        define_entity("User", plural="Users", fields=GOOD_FIELDS)


def test_two_entities_with_one_table_refused() -> None:
    message = registry_refuses(make("Widget", plural="Gadgets"), make("Gadget"))
    assert "gadgets" in message


def test_entity_declared_twice_refused() -> None:
    assert "Widget" in registry_refuses(make(), make())


def test_non_entity_in_domain_refused() -> None:
    with pytest.raises(DefinitionError):
        Registry(Domain(entities=({"name": "Widget"},)))


def _noop(ctx: Any, data: dict[str, Any]) -> None:
    return None


def test_custom_action_on_unknown_entity_refused() -> None:
    action = CustomAction(entity="Gizmo", verb="spin", handler=_noop)
    message = registry_refuses(make(), actions=(action,))
    assert "Gizmo" in message
    assert "spin" in message


def test_two_custom_actions_with_same_id_refused() -> None:
    action = CustomAction(entity="Widget", verb="spin", handler=_noop)
    assert "widget.spin" in registry_refuses(make(), actions=(action, action))


def test_custom_action_shadowing_generated_action_refused() -> None:
    action = CustomAction(entity="Widget", verb="create", handler=_noop)
    assert "widget.create" in registry_refuses(make(), actions=(action,))


def test_custom_action_verb_must_be_snake_case() -> None:
    with pytest.raises(ValueError, match="Spin"):
        CustomAction(entity="Widget", verb="Spin", handler=_noop)


def test_registry_generates_workflow_actions_only_for_workflow_entities() -> None:
    plain = make()
    flowing = make("Gadget", workflows=flow(Transition("open", "closed")))
    registry = Registry(Domain(entities=(plain, flowing)))
    assert "gadget.transition" in registry.actions
    assert "gadget.transitions" in registry.actions
    assert "widget.transition" not in registry.actions
