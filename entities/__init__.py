"""The demo domain: a CRM, a project tracker and a small clinic, declared as metadata.

The platform loads exactly one `Domain` from the package named in settings; collecting
every declaration here is what makes an entity, action or subscriber exist at all.
"""

from __future__ import annotations

from core.contracts import Domain
from entities.clinic import APPOINTMENT, DOCTOR, PATIENT
from entities.crm import COMPANY, CONTACT
from entities.projects import LOG_TASK_TRANSITION, PROJECT, PROJECT_SUMMARY, TASK
from entities.seed_data import seed_records

DOMAIN = Domain(
    entities=(COMPANY, CONTACT, PROJECT, TASK, DOCTOR, PATIENT, APPOINTMENT),
    actions=(PROJECT_SUMMARY,),
    subscribers=(LOG_TASK_TRANSITION,),
    seed=seed_records,
)

__all__ = [
    "APPOINTMENT",
    "COMPANY",
    "CONTACT",
    "DOCTOR",
    "DOMAIN",
    "LOG_TASK_TRANSITION",
    "PATIENT",
    "PROJECT",
    "PROJECT_SUMMARY",
    "TASK",
]
