"""A tiny domain with subscribers, for the event-delivery tests.

Each subscriber appends `event_id subscriber` to the file named by
RELIABILITY_DELIVERY_LOG, so a test can count exactly how often each one ran.
"""

from __future__ import annotations

import os

from core.contracts import (
    Domain,
    DomainEvent,
    Field,
    Subscriber,
    UIHints,
    allow,
    define_entity,
)

NOTE = define_entity(
    "Note",
    plural="Notes",
    fields=(Field("body", "text", required=True, max_length=500),),
    permissions=(allow("*"),),
    ui=UIHints(default_sort="-created_at", title_field="body"),
)


def _recorder(name: str) -> Subscriber:
    def record(event: DomainEvent) -> None:
        with open(os.environ["RELIABILITY_DELIVERY_LOG"], "a") as log:
            log.write(f"{event.id} {name}\n")

    return Subscriber(event="note.created", name=name, handler=record)


DOMAIN = Domain(entities=(NOTE,), subscribers=(_recorder("mailer"), _recorder("indexer")))
