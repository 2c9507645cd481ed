"""The offline interpreter's corpus: phrasings across all seven demo entities and the
plan each must give (an empty list: the command must be refused, not guessed).

Placeholders {U}, {P}, {C} stand for record ids; commands are planned as of TODAY.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

TODAY = dt.date(2025, 1, 15)
IDS = {
    "{U}": "3f1c2d4e-1111-4222-8333-444455556666",
    "{P}": "0b9d2d4e-2222-4222-8333-444455556666",
    "{C}": "7a7a2d4e-3333-4222-8333-444455556666",
}
Expected = list[tuple[str, dict[str, Any]]]

CORPUS: list[tuple[str, Expected]] = [
    ("create task called Buy milk", [("task.create", {"title": "Buy milk"})]),
    ("add a task named Call the supplier", [("task.create", {"title": "Call the supplier"})]),
    ("new task titled Prepare the demo", [("task.create", {"title": "Prepare the demo"})]),
    ('create a task "Write the report"', [("task.create", {"title": "Write the report"})]),
    ("create task title=Fix login bug", [("task.create", {"title": "Fix login bug"})]),
    ("new task: Order office chairs", [("task.create", {"title": "Order office chairs"})]),
    (
        "add a high priority task to call the supplier",
        [("task.create", {"priority": "high", "title": "call the supplier"})],
    ),
    (
        "create a low priority task called Tidy the backlog",
        [("task.create", {"priority": "low", "title": "Tidy the backlog"})],
    ),
    (
        "make a task called Review contract with priority high",
        [("task.create", {"title": "Review contract", "priority": "high"})],
    ),
    (
        'add task "Draft budget" due 2025-02-01',
        [("task.create", {"title": "Draft budget", "due_date": "2025-02-01"})],
    ),
    (
        "create task Plan sprint due tomorrow",
        [("task.create", {"title": "Plan sprint", "due_date": "2025-01-16"})],
    ),
    (
        "create task called Update docs for project {P}",
        [("task.create", {"title": "Update docs", "project_id": "{P}"})],
    ),
    (
        'add task title="Ship v2" priority=high project_id={P}',
        [("task.create", {"title": "Ship v2", "priority": "high", "project_id": "{P}"})],
    ),
    (
        "create task called Estimate work with estimate 4",
        [("task.create", {"title": "Estimate work", "estimate_hours": 4})],
    ),
    ("Create Task Called Mixed Case Title", [("task.create", {"title": "Mixed Case Title"})]),
    ("list tasks", [("task.list", {})]),
    ("show all tasks", [("task.list", {})]),
    ("show me the tasks", [("task.list", {})]),
    ("list tasks where status is todo", [("task.list", {"filters": {"status": "todo"}})]),
    ("list tasks that are in review", [("task.list", {"filters": {"status": "review"}})]),
    ("show tasks in progress", [("task.list", {"filters": {"status": "in_progress"}})]),
    ("list in progress tasks", [("task.list", {"filters": {"status": "in_progress"}})]),
    ("list high priority tasks", [("task.list", {"filters": {"priority": "high"}})]),
    ("show tasks with priority low", [("task.list", {"filters": {"priority": "low"}})]),
    ("list tasks with high priority", [("task.list", {"filters": {"priority": "high"}})]),
    ("list tasks sorted by due date", [("task.list", {"order_by": "due_date"})]),
    ("list tasks sorted by due date descending", [("task.list", {"order_by": "-due_date"})]),
    (
        "list tasks where priority is high sorted by due date",
        [("task.list", {"order_by": "due_date", "filters": {"priority": "high"}})],
    ),
    (
        "list blocked tasks of project {P}",
        [("task.list", {"filters": {"status": "blocked", "project_id": "{P}"}})],
    ),
    ("show tasks of project {P}", [("task.list", {"filters": {"project_id": "{P}"}})]),
    (
        "list tasks due before 2025-03-01",
        [("task.list", {"filters": {"due_date__lt": "2025-03-01"}})],
    ),
    ("find tasks named invoice", [("task.list", {"search": "invoice"})]),
    ('search tasks "login bug"', [("task.list", {"search": "login bug"})]),
    ("list 5 tasks", [("task.list", {"limit": 5})]),
    ("list tasks limit 10", [("task.list", {"limit": 10})]),
    ("show the newest tasks", [("task.list", {"order_by": "-created_at"})]),
    ("list tasks where status is not done", [("task.list", {"filters": {"status__ne": "done"}})]),
    ("count tasks", [("task.count", {})]),
    ("how many tasks are in review", [("task.count", {"filters": {"status": "review"}})]),
    ("count tasks where priority is high", [("task.count", {"filters": {"priority": "high"}})]),
    ("how many high priority tasks", [("task.count", {"filters": {"priority": "high"}})]),
    ("get task {U}", [("task.get", {"id": "{U}"})]),
    ("open task {U}", [("task.get", {"id": "{U}"})]),
    ("show task {U}", [("task.get", {"id": "{U}"})]),
    ("view task {U}", [("task.get", {"id": "{U}"})]),
    ("update task {U} priority=high", [("task.update", {"id": "{U}", "priority": "high"})]),
    ('update task {U} title="New title"', [("task.update", {"id": "{U}", "title": "New title"})]),
    ("set priority of task {U} to low", [("task.update", {"id": "{U}", "priority": "low"})]),
    (
        "change the priority of task {U} to high",
        [("task.update", {"id": "{U}", "priority": "high"})],
    ),
    (
        "rename task {U} to Call the new supplier",
        [("task.update", {"id": "{U}", "title": "Call the new supplier"})],
    ),
    (
        "set due date of task {U} to 2025-04-01",
        [("task.update", {"id": "{U}", "due_date": "2025-04-01"})],
    ),
    (
        "update task {U} with priority medium",
        [("task.update", {"id": "{U}", "priority": "medium"})],
    ),
    ("make task {U} high priority", [("task.update", {"id": "{U}", "priority": "high"})]),
    ("move task {U} to review", [("task.transition", {"id": "{U}", "to": "review"})]),
    ("move task {U} to in progress", [("task.transition", {"id": "{U}", "to": "in_progress"})]),
    ("mark task {U} as done", [("task.transition", {"id": "{U}", "to": "done"})]),
    ("mark task {U} done", [("task.transition", {"id": "{U}", "to": "done"})]),
    ("transition task {U} to blocked", [("task.transition", {"id": "{U}", "to": "blocked"})]),
    ("put task {U} in review", [("task.transition", {"id": "{U}", "to": "review"})]),
    ("set status of task {U} to done", [("task.transition", {"id": "{U}", "to": "done"})]),
    ("start task {U}", [("task.transition", {"id": "{U}", "trigger": "start"})]),
    ("submit task {U}", [("task.transition", {"id": "{U}", "trigger": "submit"})]),
    ("approve task {U}", [("task.transition", {"id": "{U}", "trigger": "approve"})]),
    ("rework task {U}", [("task.transition", {"id": "{U}", "trigger": "rework"})]),
    ("block task {U}", [("task.transition", {"id": "{U}", "trigger": "block"})]),
    ("resume task {U}", [("task.transition", {"id": "{U}", "trigger": "resume"})]),
    ("reset task {U}", [("task.transition", {"id": "{U}", "trigger": "reset"})]),
    ("delete task {U}", [("task.delete", {"id": "{U}"})]),
    ("remove task {U}", [("task.delete", {"id": "{U}"})]),
    ("what can task {U} move to", [("task.transitions", {"id": "{U}"})]),
    ("show transitions of task {U}", [("task.transitions", {"id": "{U}"})]),
    ("create project called Apollo", [("project.create", {"name": "Apollo"})]),
    ("add a project named Website relaunch", [("project.create", {"name": "Website relaunch"})]),
    ("new project: Data migration", [("project.create", {"name": "Data migration"})]),
    (
        "create project name=Gemini budget=50000",
        [("project.create", {"name": "Gemini", "budget": "50000"})],
    ),
    ("list projects", [("project.list", {})]),
    ("show active projects", [("project.list", {"filters": {"status": "active"}})]),
    ("list projects that are on hold", [("project.list", {"filters": {"status": "on_hold"}})]),
    (
        "list projects where status is completed",
        [("project.list", {"filters": {"status": "completed"}})],
    ),
    ("list projects sorted by start date", [("project.list", {"order_by": "start_date"})]),
    ("find projects named Apollo", [("project.list", {"search": "Apollo"})]),
    ("count active projects", [("project.count", {"filters": {"status": "active"}})]),
    ("get project {U}", [("project.get", {"id": "{U}"})]),
    ("open project {U}", [("project.get", {"id": "{U}"})]),
    ("rename project {U} to Apollo 2", [("project.update", {"id": "{U}", "name": "Apollo 2"})]),
    ("set budget of project {U} to 75000", [("project.update", {"id": "{U}", "budget": "75000"})]),
    ("update project {U} status=active", [("project.update", {"id": "{U}", "status": "active"})]),
    ("delete project {U}", [("project.delete", {"id": "{U}"})]),
    ("summary of project {U}", [("project.summary", {"id": "{U}"})]),
    ("project summary {U}", [("project.summary", {"id": "{U}"})]),
    ("summarize project {U}", [("project.summary", {"id": "{U}"})]),
    ("show summary for project {U}", [("project.summary", {"id": "{U}"})]),
    ("create company called Acme", [("company.create", {"name": "Acme"})]),
    (
        "add a company named Globex Corporation",
        [("company.create", {"name": "Globex Corporation"})],
    ),
    ("new company: Initech", [("company.create", {"name": "Initech"})]),
    (
        "create company name=Umbrella industry=healthcare",
        [("company.create", {"name": "Umbrella", "industry": "healthcare"})],
    ),
    (
        "create a software company called Hooli",
        [("company.create", {"industry": "software", "name": "Hooli"})],
    ),
    ("list companies", [("company.list", {})]),
    ("show companies in software", [("company.list", {"filters": {"industry": "software"}})]),
    (
        "list companies where industry is finance",
        [("company.list", {"filters": {"industry": "finance"}})],
    ),
    (
        "list companies with more than 100 employees",
        [("company.list", {"filters": {"employees__gt": 100}})],
    ),
    ("list companies sorted by name", [("company.list", {"order_by": "name"})]),
    ("find companies named Acme", [("company.list", {"search": "Acme"})]),
    ("count companies in retail", [("company.count", {"filters": {"industry": "retail"}})]),
    ("get company {U}", [("company.get", {"id": "{U}"})]),
    ("open company {U}", [("company.get", {"id": "{U}"})]),
    (
        "rename company {U} to Acme Holdings",
        [("company.update", {"id": "{U}", "name": "Acme Holdings"})],
    ),
    ("set city of company {U} to Berlin", [("company.update", {"id": "{U}", "city": "Berlin"})]),
    ("update company {U} employees=250", [("company.update", {"id": "{U}", "employees": 250})]),
    ("delete company {U}", [("company.delete", {"id": "{U}"})]),
    ("remove company {U}", [("company.delete", {"id": "{U}"})]),
    (
        "create contact first_name=Ada last_name=Lovelace",
        [("contact.create", {"first_name": "Ada", "last_name": "Lovelace"})],
    ),
    (
        "add contact first_name=Alan last_name=Turing email=alan@example.com",
        [
            (
                "contact.create",
                {"first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"},
            )
        ],
    ),
    (
        "new contact first_name=Grace last_name=Hopper company_id={C}",
        [("contact.create", {"first_name": "Grace", "last_name": "Hopper", "company_id": "{C}"})],
    ),
    ("list contacts", [("contact.list", {})]),
    ("show contacts named Ada", [("contact.list", {"search": "Ada"})]),
    ("list contacts of company {C}", [("contact.list", {"filters": {"company_id": "{C}"}})]),
    ("find contacts named Turing", [("contact.list", {"search": "Turing"})]),
    ("list contacts sorted by last name", [("contact.list", {"order_by": "last_name"})]),
    ("count contacts of company {C}", [("contact.count", {"filters": {"company_id": "{C}"}})]),
    ("get contact {U}", [("contact.get", {"id": "{U}"})]),
    ("open contact {U}", [("contact.get", {"id": "{U}"})]),
    ("update contact {U} title=CTO", [("contact.update", {"id": "{U}", "title": "CTO"})]),
    (
        "set email of contact {U} to ada@example.com",
        [("contact.update", {"id": "{U}", "email": "ada@example.com"})],
    ),
    ("delete contact {U}", [("contact.delete", {"id": "{U}"})]),
    ("remove contact {U}", [("contact.delete", {"id": "{U}"})]),
    ("create doctor called Dr. House", [("doctor.create", {"full_name": "Dr. House"})]),
    ("add a doctor named Jane Foster", [("doctor.create", {"full_name": "Jane Foster"})]),
    (
        "new cardiology doctor called Strange",
        [("doctor.create", {"specialty": "cardiology", "full_name": "Strange"})],
    ),
    (
        'create doctor full_name="Meredith Grey" specialty=neurology',
        [("doctor.create", {"full_name": "Meredith Grey", "specialty": "neurology"})],
    ),
    ("list doctors", [("doctor.list", {})]),
    ("show doctors in cardiology", [("doctor.list", {"filters": {"specialty": "cardiology"}})]),
    (
        "list doctors where specialty is pediatrics",
        [("doctor.list", {"filters": {"specialty": "pediatrics"}})],
    ),
    ("find doctors named Grey", [("doctor.list", {"search": "Grey"})]),
    ("count doctors in dermatology", [("doctor.count", {"filters": {"specialty": "dermatology"}})]),
    ("get doctor {U}", [("doctor.get", {"id": "{U}"})]),
    (
        "update doctor {U} specialty=orthopedics",
        [("doctor.update", {"id": "{U}", "specialty": "orthopedics"})],
    ),
    ("delete doctor {U}", [("doctor.delete", {"id": "{U}"})]),
    ("create patient called John Doe", [("patient.create", {"full_name": "John Doe"})]),
    ("add a patient named Jane Roe", [("patient.create", {"full_name": "Jane Roe"})]),
    (
        'new patient full_name="Max Mustermann" email=max@example.com',
        [("patient.create", {"full_name": "Max Mustermann", "email": "max@example.com"})],
    ),
    ("list patients", [("patient.list", {})]),
    ("find patients named Doe", [("patient.list", {"search": "Doe"})]),
    ("show patients sorted by full name", [("patient.list", {"order_by": "full_name"})]),
    ("count patients", [("patient.count", {})]),
    ("get patient {U}", [("patient.get", {"id": "{U}"})]),
    ("open patient {U}", [("patient.get", {"id": "{U}"})]),
    (
        "update patient {U} phone=+49 30 1234567",
        [("patient.update", {"id": "{U}", "phone": "+49 30 1234567"})],
    ),
    ("delete patient {U}", [("patient.delete", {"id": "{U}"})]),
    (
        "create appointment starts_at=2025-03-01T09:30 patient_id={P} doctor_id={C}",
        [
            (
                "appointment.create",
                {"starts_at": "2025-03-01T09:30", "patient_id": "{P}", "doctor_id": "{C}"},
            )
        ],
    ),
    (
        'add appointment starts_at=2025-03-02T10:00 patient_id={P} doctor_id={C} reason="Check-up"',
        [
            (
                "appointment.create",
                {
                    "starts_at": "2025-03-02T10:00",
                    "patient_id": "{P}",
                    "doctor_id": "{C}",
                    "reason": "Check-up",
                },
            )
        ],
    ),
    ("list appointments", [("appointment.list", {})]),
    ("show scheduled appointments", [("appointment.list", {"filters": {"status": "scheduled"}})]),
    (
        "list appointments that are confirmed",
        [("appointment.list", {"filters": {"status": "confirmed"}})],
    ),
    (
        "list appointments where status is cancelled",
        [("appointment.list", {"filters": {"status": "cancelled"}})],
    ),
    ("list appointments of doctor {C}", [("appointment.list", {"filters": {"doctor_id": "{C}"}})]),
    (
        "list appointments of patient {P}",
        [("appointment.list", {"filters": {"patient_id": "{P}"}})],
    ),
    ("list appointments sorted by starts at", [("appointment.list", {"order_by": "starts_at"})]),
    (
        "count appointments of doctor {C}",
        [("appointment.count", {"filters": {"doctor_id": "{C}"}})],
    ),
    ("get appointment {U}", [("appointment.get", {"id": "{U}"})]),
    ("confirm appointment {U}", [("appointment.transition", {"id": "{U}", "trigger": "confirm"})]),
    (
        "check in appointment {U}",
        [("appointment.transition", {"id": "{U}", "trigger": "check_in"})],
    ),
    (
        "complete appointment {U}",
        [("appointment.transition", {"id": "{U}", "trigger": "complete"})],
    ),
    ("cancel appointment {U}", [("appointment.transition", {"id": "{U}", "trigger": "cancel"})]),
    (
        "move appointment {U} to confirmed",
        [("appointment.transition", {"id": "{U}", "to": "confirmed"})],
    ),
    (
        "mark appointment {U} as completed",
        [("appointment.transition", {"id": "{U}", "to": "completed"})],
    ),
    (
        "update appointment {U} duration_minutes=45",
        [("appointment.update", {"id": "{U}", "duration_minutes": 45})],
    ),
    ("reschedule appointment {U}", []),
    ("delete appointment {U}", [("appointment.delete", {"id": "{U}"})]),
    ("list overdue tasks", []),
    ("show tasks of project Apollo", []),
    ("send an email to Ada", []),
    ("what is the weather today", []),
    ("move task to done", []),
    ("delete the task", []),
    ("update task {U}", []),
    ("create appointment", []),
    ("LIST TASKS", [("task.list", {})]),
    ("List Companies", [("company.list", {})]),
    ("list task", [("task.list", {})]),
    ("show Appointments", [("appointment.list", {})]),
    ("create Tasks called Plural entity name", [("task.create", {"title": "Plural entity name"})]),
    (
        "set estimate hours of task {U} to 3",
        [("task.update", {"id": "{U}", "estimate_hours": 3})],
    ),
    ("set job title of contact {U} to CTO", [("contact.update", {"id": "{U}", "title": "CTO"})]),
    (
        "list tasks where estimate is at least 8",
        [("task.list", {"filters": {"estimate_hours__gte": 8}})],
    ),
    (
        "update appointment {U} with duration 60",
        [("appointment.update", {"id": "{U}", "duration_minutes": 60})],
    ),
    (
        'create project "Mercury" with start date 2025-01-01',
        [("project.create", {"name": "Mercury", "start_date": "2025-01-01"})],
    ),
    (
        "list projects with budget over 10000",
        [("project.list", {"filters": {"budget__gt": "10000"}})],
    ),
    (
        "list contacts whose email is ada@example.com",
        [("contact.list", {"filters": {"email": "ada@example.com"}})],
    ),
    (
        "list companies in the software industry",
        [("company.list", {"filters": {"industry": "software"}})],
    ),
    (
        "list tasks of project {P} sorted by priority",
        [("task.list", {"order_by": "priority", "filters": {"project_id": "{P}"}})],
    ),
    ('find patients named "Mary Major"', [("patient.list", {"search": "Mary Major"})]),
    ("show 10 newest companies", [("company.list", {"order_by": "-created_at", "limit": 10})]),
    (
        "count tasks of project {P} that are blocked",
        [("task.count", {"filters": {"project_id": "{P}", "status": "blocked"}})],
    ),
    (
        "list tasks where due date is after 2025-01-31",
        [("task.list", {"filters": {"due_date__gt": "2025-01-31"}})],
    ),
    ("list doctors sorted by full name descending", [("doctor.list", {"order_by": "-full_name"})]),
]


def substitute(text: str) -> str:
    for key, value in IDS.items():
        text = text.replace(key, value)
    return text


def expected_steps(expected: Expected) -> list[dict[str, Any]]:
    import json

    return json.loads(substitute(json.dumps([{"action_id": a, "input": i} for a, i in expected])))


def evaluate(registry: Any) -> tuple[int, int, list[str]]:
    """(correct, total, failed commands) of the offline interpreter over the corpus."""
    from ai.offline import interpret

    correct, failed = 0, []
    for command, expected in CORPUS:
        plan = interpret(registry, substitute(command), TODAY)
        got = [step.model_dump() for step in plan.steps]
        if got == expected_steps(expected):
            correct += 1
        else:
            failed.append(command)
    return correct, len(CORPUS), failed
