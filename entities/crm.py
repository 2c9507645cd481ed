"""The CRM corner of the demo domain: companies and the people who work at them.

It shows the plainest shape an entity takes (typed fields, one relationship in each
direction, no workflow), so it is the module to copy when declaring a new entity.
"""

from __future__ import annotations

from core.contracts import AICapability, Entity, Field, UIHints, belongs_to, define_entity, has_many
from entities.policies import COMPANY_RULES, CONTACT_RULES

INDUSTRIES: tuple[str, ...] = (
    "software",
    "healthcare",
    "finance",
    "retail",
    "manufacturing",
    "education",
    "logistics",
    "media",
    "other",
)

COMPANY: Entity = define_entity(
    "Company",
    plural="Companies",
    description="An organisation we sell to, buy from or work with.",
    fields=(
        Field(
            "name",
            "text",
            required=True,
            unique=True,
            max_length=200,
            description="Registered or trading name; unique so imports cannot duplicate.",
        ),
        Field("website", "url", description="Public home page."),
        Field("industry", "enum", options=INDUSTRIES),
        Field(
            "employees", "integer", min=0, label="Employees", description="Approximate head count."
        ),
        Field(
            "annual_revenue",
            "currency",
            min=0,
            description="Last reported yearly revenue, in the account currency.",
        ),
        Field("phone", "phone", description="Main switchboard number."),
        Field("city", "text", max_length=100),
        Field("country", "text", max_length=100),
        Field("notes", "long_text"),
    ),
    relationships=(
        has_many(
            "contacts", "Contact", inverse="company", description="People we know at this company."
        ),
    ),
    permissions=COMPANY_RULES,
    ui=UIHints(
        list_columns=("name", "industry", "employees", "annual_revenue", "city"),
        search_fields=("name", "website", "notes"),
        default_sort="name",
        title_field="name",
        icon="building",
    ),
    ai_capabilities=(
        AICapability(
            id="classify_industry",
            kind="classify",
            intent="Pick the industry that best describes the company from its name, "
            "website and notes.",
            context_fields=("name", "website", "notes"),
            output_schema={"type": "string", "enum": list(INDUSTRIES)},
            fallback="other",
            trigger="on_demand",
        ),
    ),
)

CONTACT: Entity = define_entity(
    "Contact",
    plural="Contacts",
    description="A person we deal with, usually at one of our companies.",
    fields=(
        Field("first_name", "text", required=True, max_length=100),
        Field("last_name", "text", required=True, max_length=100),
        Field(
            "email",
            "email",
            unique=True,
            description="Work address; unique so one person is never entered twice.",
        ),
        Field("phone", "phone"),
        Field("title", "text", max_length=120, label="Job title"),
        Field("notes", "long_text"),
    ),
    relationships=(
        # A contact outlives the company record: people move on, and their history stays.
        belongs_to(
            "company", "Company", on_delete="set_null", description="Where this person works."
        ),
    ),
    permissions=CONTACT_RULES,
    ui=UIHints(
        list_columns=("first_name", "last_name", "email", "title", "company_id"),
        search_fields=("first_name", "last_name", "email", "title"),
        default_sort="last_name",
        title_field="last_name",
        icon="user",
    ),
    ai_capabilities=(
        AICapability(
            id="draft_intro_email",
            kind="generate",
            intent="Draft a short, friendly introduction email to this contact.",
            context_fields=("first_name", "last_name", "title", "notes"),
            output_schema={"type": "string", "maxLength": 2000},
            trigger="on_demand",
        ),
    ),
)
