"""A small clinic: doctors, patients and the appointments between them.

It is the demo's example of data that needs care: patient fields are marked sensitive
so the platform masks them for AI callers, patients carry a stricter AI policy, and the
relationships show both delete behaviours that protect history (cascade and restrict).
"""

from __future__ import annotations

from core.contracts import (
    Entity,
    Field,
    Transition,
    UIHints,
    Workflow,
    belongs_to,
    define_entity,
    has_many,
)
from entities.policies import PATIENT_RULES, STANDARD

SPECIALTIES: tuple[str, ...] = (
    "general_practice",
    "cardiology",
    "dermatology",
    "pediatrics",
    "neurology",
    "orthopedics",
)
APPOINTMENT_STATUSES: tuple[str, ...] = (
    "scheduled",
    "confirmed",
    "checked_in",
    "completed",
    "cancelled",
)

DOCTOR: Entity = define_entity(
    "Doctor",
    plural="Doctors",
    description="A clinician who sees patients at the clinic.",
    fields=(
        Field("full_name", "text", required=True, max_length=200),
        Field("specialty", "enum", options=SPECIALTIES, default="general_practice"),
        Field("email", "email", unique=True),
        Field("phone", "phone"),
    ),
    relationships=(has_many("appointments", "Appointment", inverse="doctor"),),
    permissions=STANDARD,
    ui=UIHints(
        list_columns=("full_name", "specialty", "email", "phone"),
        search_fields=("full_name", "email"),
        default_sort="full_name",
        title_field="full_name",
        icon="stethoscope",
    ),
)

PATIENT: Entity = define_entity(
    "Patient",
    plural="Patients",
    description="A person registered for care at the clinic.",
    fields=(
        Field("full_name", "text", required=True, max_length=200),
        Field("email", "email"),
        Field("phone", "phone"),
        Field(
            "date_of_birth",
            "date",
            sensitive=True,
            description="Identifies the patient; masked for AI callers.",
        ),
        Field(
            "insurance_number",
            "text",
            max_length=64,
            sensitive=True,
            description="Policy number for billing; masked for AI callers.",
        ),
    ),
    relationships=(has_many("appointments", "Appointment", inverse="patient"),),
    permissions=PATIENT_RULES,
    ui=UIHints(
        list_columns=("full_name", "email", "phone"),
        search_fields=("full_name", "email"),
        default_sort="full_name",
        title_field="full_name",
        icon="heart",
    ),
)

APPOINTMENT_WORKFLOW = Workflow(
    field="status",
    transitions=(
        Transition("scheduled", "confirmed", trigger="confirm"),
        Transition("confirmed", "checked_in", trigger="check_in"),
        Transition("checked_in", "completed", trigger="complete"),
        Transition(("scheduled", "confirmed"), "cancelled", trigger="cancel"),
    ),
)

APPOINTMENT: Entity = define_entity(
    "Appointment",
    plural="Appointments",
    description="A booked visit of one patient to one doctor.",
    fields=(
        Field("starts_at", "datetime", required=True),
        Field(
            "duration_minutes", "integer", default=30, min=5, max=480, label="Duration (minutes)"
        ),
        Field("reason", "text", max_length=500),
        Field("status", "enum", options=APPOINTMENT_STATUSES, default="scheduled"),
    ),
    relationships=(
        # An appointment is part of the patient's record, so it goes with the patient...
        belongs_to("patient", "Patient", required=True, on_delete="cascade"),
        # ...but a doctor with appointments on the books cannot silently disappear.
        belongs_to("doctor", "Doctor", required=True, on_delete="restrict"),
    ),
    workflows=(APPOINTMENT_WORKFLOW,),
    permissions=STANDARD,
    ui=UIHints(
        list_columns=("starts_at", "patient_id", "doctor_id", "duration_minutes", "status"),
        search_fields=("reason",),
        default_sort="starts_at",
        default_view="calendar",
        calendar_date_field="starts_at",
        title_field="reason",
        icon="calendar",
    ),
)
