"""Demo records, so a fresh install shows every screen with something realistic in it.

Keys are stable so seeding twice finds what is already there instead of duplicating it;
dates are fixed so screenshots and tests do not drift with the calendar. Workflow states
are reached through `transitions` rather than written directly, which keeps the seeder
on the same permissioned path as any other caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from core.contracts import SeedRecord

# Task paths from the initial `todo` state to where each demo task should end up.
TO_IN_PROGRESS: tuple[str, ...] = ("in_progress",)
TO_REVIEW: tuple[str, ...] = ("in_progress", "review")
TO_DONE: tuple[str, ...] = ("in_progress", "review", "done")
TO_BLOCKED: tuple[str, ...] = ("in_progress", "blocked")
# Appointment paths from the initial `scheduled` state.
TO_CONFIRMED: tuple[str, ...] = ("confirmed",)
TO_CHECKED_IN: tuple[str, ...] = ("confirmed", "checked_in")
TO_COMPLETED: tuple[str, ...] = ("confirmed", "checked_in", "completed")
TO_CANCELLED: tuple[str, ...] = ("cancelled",)


def _at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A 2026 instant in UTC; the platform stores aware datetimes only."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


def _day(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def companies() -> Iterator[SeedRecord]:
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "acme",
            {
                "name": "Acme Analytics",
                "website": "https://acme.example.com",
                "industry": "software",
                "employees": 240,
                "annual_revenue": "38500000.00",
                "phone": "+1 415 555 0134",
                "city": "San Francisco",
                "country": "United States",
                "notes": "Long-standing customer; renewal due in Q3.",
            },
        ),
        (
            "northwind",
            {
                "name": "Northwind Health",
                "website": "https://northwind-health.example.com",
                "industry": "healthcare",
                "employees": 1200,
                "annual_revenue": "210000000.00",
                "phone": "+1 617 555 0190",
                "city": "Boston",
                "country": "United States",
                "notes": "Evaluating the scheduling module for three clinics.",
            },
        ),
        (
            "bluefin",
            {
                "name": "Bluefin Capital",
                "website": "https://bluefin.example.com",
                "industry": "finance",
                "employees": 85,
                "annual_revenue": "15200000.00",
                "phone": "+44 20 7946 0321",
                "city": "London",
                "country": "United Kingdom",
            },
        ),
        (
            "harbor",
            {
                "name": "Harbor Retail Group",
                "website": "https://harbor-retail.example.com",
                "industry": "retail",
                "employees": 3400,
                "annual_revenue": "480000000.00",
                "phone": "+1 206 555 0177",
                "city": "Seattle",
                "country": "United States",
                "notes": "Procurement insists on annual invoicing.",
            },
        ),
        (
            "ironclad",
            {
                "name": "Ironclad Manufacturing",
                "website": "https://ironclad.example.com",
                "industry": "manufacturing",
                "employees": 920,
                "annual_revenue": "132000000.00",
                "phone": "+49 30 5550 1842",
                "city": "Berlin",
                "country": "Germany",
            },
        ),
        (
            "brightpath",
            {
                "name": "Brightpath Learning",
                "website": "https://brightpath.example.com",
                "industry": "education",
                "employees": 60,
                "annual_revenue": "4800000.00",
                "phone": "+1 512 555 0112",
                "city": "Austin",
                "country": "United States",
                "notes": "Non-profit pricing approved by finance.",
            },
        ),
        (
            "cedar",
            {
                "name": "Cedar Software Labs",
                "website": "https://cedarlabs.example.com",
                "industry": "software",
                "employees": 32,
                "annual_revenue": "2900000.00",
                "phone": "+1 503 555 0148",
                "city": "Portland",
                "country": "United States",
            },
        ),
        (
            "summit",
            {
                "name": "Summit Freight",
                "website": "https://summit-freight.example.com",
                "industry": "logistics",
                "employees": 510,
                "annual_revenue": "76000000.00",
                "phone": "+31 20 555 0199",
                "city": "Amsterdam",
                "country": "Netherlands",
                "notes": "Introduced by Harbor Retail Group.",
            },
        ),
    ]
    for key, values in rows:
        yield SeedRecord(entity="Company", key=f"company:{key}", values=values)


def contacts() -> Iterator[SeedRecord]:
    rows: list[tuple[str, str, str, str, str, str, str]] = [
        # key, first, last, email, phone, title, company
        (
            "maria-lopez",
            "Maria",
            "Lopez",
            "maria.lopez@acme.example.com",
            "+1 415 555 0135",
            "VP Engineering",
            "acme",
        ),
        (
            "tom-becker",
            "Tom",
            "Becker",
            "tom.becker@acme.example.com",
            "+1 415 555 0136",
            "Procurement Manager",
            "acme",
        ),
        (
            "priya-shah",
            "Priya",
            "Shah",
            "priya.shah@northwind-health.example.com",
            "+1 617 555 0191",
            "Chief Operating Officer",
            "northwind",
        ),
        (
            "daniel-okafor",
            "Daniel",
            "Okafor",
            "daniel.okafor@northwind-health.example.com",
            "+1 617 555 0192",
            "IT Director",
            "northwind",
        ),
        (
            "emma-clarke",
            "Emma",
            "Clarke",
            "emma.clarke@bluefin.example.com",
            "+44 20 7946 0322",
            "Head of Operations",
            "bluefin",
        ),
        (
            "james-whitfield",
            "James",
            "Whitfield",
            "james.whitfield@bluefin.example.com",
            "+44 20 7946 0323",
            "Compliance Officer",
            "bluefin",
        ),
        (
            "sofia-rossi",
            "Sofia",
            "Rossi",
            "sofia.rossi@harbor-retail.example.com",
            "+1 206 555 0178",
            "Director of Merchandising",
            "harbor",
        ),
        (
            "kevin-nguyen",
            "Kevin",
            "Nguyen",
            "kevin.nguyen@harbor-retail.example.com",
            "+1 206 555 0179",
            "Store Systems Lead",
            "harbor",
        ),
        (
            "lena-fischer",
            "Lena",
            "Fischer",
            "lena.fischer@ironclad.example.com",
            "+49 30 5550 1843",
            "Plant Manager",
            "ironclad",
        ),
        (
            "markus-weber",
            "Markus",
            "Weber",
            "markus.weber@ironclad.example.com",
            "+49 30 5550 1844",
            "Quality Engineer",
            "ironclad",
        ),
        (
            "aisha-bello",
            "Aisha",
            "Bello",
            "aisha.bello@brightpath.example.com",
            "+1 512 555 0113",
            "Executive Director",
            "brightpath",
        ),
        (
            "noah-kim",
            "Noah",
            "Kim",
            "noah.kim@brightpath.example.com",
            "+1 512 555 0114",
            "Program Coordinator",
            "brightpath",
        ),
        (
            "olivia-martin",
            "Olivia",
            "Martin",
            "olivia.martin@cedarlabs.example.com",
            "+1 503 555 0149",
            "Founder & CEO",
            "cedar",
        ),
        (
            "lucas-silva",
            "Lucas",
            "Silva",
            "lucas.silva@cedarlabs.example.com",
            "+1 503 555 0150",
            "Staff Engineer",
            "cedar",
        ),
        (
            "eva-jansen",
            "Eva",
            "Jansen",
            "eva.jansen@summit-freight.example.com",
            "+31 20 555 0200",
            "Logistics Planner",
            "summit",
        ),
        (
            "ruben-visser",
            "Ruben",
            "Visser",
            "ruben.visser@summit-freight.example.com",
            "+31 20 555 0201",
            "Finance Manager",
            "summit",
        ),
    ]
    for key, first, last, email, phone, title, company in rows:
        yield SeedRecord(
            entity="Contact",
            key=f"contact:{key}",
            values={
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
                "title": title,
            },
            refs={"company": f"company:{company}"},
        )


def projects() -> Iterator[SeedRecord]:
    rows: list[tuple[str, dict[str, Any]]] = [
        (
            "website-relaunch",
            {
                "name": "Website relaunch",
                "description": "New marketing site with a self-service signup flow.",
                "status": "active",
                "start_date": _day(1, 12),
                "end_date": _day(4, 30),
                "budget": "85000.00",
            },
        ),
        (
            "clinic-scheduling",
            {
                "name": "Clinic scheduling rollout",
                "description": "Roll the appointment calendar out to Northwind's three clinics.",
                "status": "active",
                "start_date": _day(2, 2),
                "end_date": _day(6, 26),
                "budget": "140000.00",
            },
        ),
        (
            "data-warehouse",
            {
                "name": "Data warehouse migration",
                "description": "Move reporting from nightly CSV exports to a managed warehouse.",
                "status": "on_hold",
                "start_date": _day(3, 2),
                "end_date": _day(9, 30),
                "budget": "220000.00",
            },
        ),
        (
            "mobile-app",
            {
                "name": "Field mobile app",
                "description": (
                    "Offline-first app for delivery drivers to capture proof of delivery."
                ),
                "status": "planned",
                "start_date": _day(7, 1),
                "end_date": _day(12, 18),
                "budget": "310000.00",
            },
        ),
    ]
    for key, values in rows:
        yield SeedRecord(entity="Project", key=f"project:{key}", values=values)


def tasks() -> Iterator[SeedRecord]:
    rows: list[tuple[str, str, str, str, dt.date, float, tuple[str, ...], str]] = [
        # key, title, description, priority, due, estimate, path, project
        (
            "wr-sitemap",
            "Agree the sitemap",
            "Workshop with marketing to settle the page structure.",
            "high",
            _day(1, 23),
            6,
            TO_DONE,
            "website-relaunch",
        ),
        (
            "wr-design",
            "Design the landing page",
            "Hero, pricing table and customer logos; two rounds of review.",
            "high",
            _day(2, 20),
            24,
            TO_DONE,
            "website-relaunch",
        ),
        (
            "wr-signup",
            "Build the signup flow",
            "Email verification, plan choice and card capture.",
            "high",
            _day(3, 27),
            40,
            TO_REVIEW,
            "website-relaunch",
        ),
        (
            "wr-copy",
            "Write product page copy",
            "Six product pages; legal must check the pricing wording.",
            "medium",
            _day(3, 13),
            16,
            TO_IN_PROGRESS,
            "website-relaunch",
        ),
        (
            "wr-seo",
            "Set up redirects from the old site",
            "Map every old URL so search rankings survive the move.",
            "medium",
            _day(4, 17),
            8,
            (),
            "website-relaunch",
        ),
        (
            "wr-analytics",
            "Add privacy-friendly analytics",
            "Cookie-less page view counting; no third-party trackers.",
            "low",
            _day(4, 24),
            4,
            (),
            "website-relaunch",
        ),
        (
            "cs-requirements",
            "Collect clinic requirements",
            "Interview front-desk staff at each of the three clinics.",
            "high",
            _day(2, 20),
            12,
            TO_DONE,
            "clinic-scheduling",
        ),
        (
            "cs-import",
            "Import existing appointments",
            "One-off import from the old booking spreadsheet.",
            "high",
            _day(3, 20),
            20,
            TO_BLOCKED,
            "clinic-scheduling",
        ),
        (
            "cs-training",
            "Train front-desk staff",
            "Two sessions per clinic, recorded for new hires.",
            "medium",
            _day(5, 15),
            18,
            (),
            "clinic-scheduling",
        ),
        (
            "cs-reminders",
            "Configure SMS reminders",
            "Reminder 24 hours before each appointment.",
            "medium",
            _day(4, 10),
            10,
            TO_IN_PROGRESS,
            "clinic-scheduling",
        ),
        (
            "cs-signoff",
            "Get sign-off from the medical director",
            "Walk through the calendar and the cancellation rules.",
            "high",
            _day(6, 12),
            3,
            (),
            "clinic-scheduling",
        ),
        (
            "dw-inventory",
            "Inventory existing reports",
            "List every nightly export and who reads it.",
            "medium",
            _day(3, 13),
            10,
            TO_DONE,
            "data-warehouse",
        ),
        (
            "dw-vendor",
            "Choose a warehouse vendor",
            "Compare three vendors on price, residency and support.",
            "high",
            _day(3, 31),
            14,
            ("blocked",),
            "data-warehouse",
        ),
        (
            "dw-schema",
            "Design the reporting schema",
            "Star schema for orders, shipments and invoices.",
            "medium",
            _day(5, 8),
            30,
            (),
            "data-warehouse",
        ),
        (
            "dw-pipeline",
            "Prototype the load pipeline",
            "Incremental loads from the operational database.",
            "low",
            _day(6, 5),
            36,
            TO_IN_PROGRESS,
            "data-warehouse",
        ),
        (
            "ma-research",
            "Ride along with two drivers",
            "Observe how proof of delivery is captured today.",
            "medium",
            _day(7, 10),
            8,
            (),
            "mobile-app",
        ),
        (
            "ma-offline",
            "Spike offline sync",
            "Prove that photos and signatures queue safely without signal.",
            "high",
            _day(7, 24),
            24,
            (),
            "mobile-app",
        ),
        (
            "ma-wireframes",
            "Wireframe the delivery screens",
            "Scan, sign, photo, done: four taps at most.",
            "medium",
            _day(7, 31),
            16,
            (),
            "mobile-app",
        ),
        (
            "ma-pilot",
            "Plan the pilot with Summit Freight",
            "Pick a depot and ten drivers for a four-week pilot.",
            "low",
            _day(9, 4),
            6,
            (),
            "mobile-app",
        ),
        (
            "ma-budget",
            "Confirm device budget",
            "Rugged phones or drivers' own devices: cost both options.",
            "medium",
            _day(7, 17),
            4,
            TO_REVIEW,
            "mobile-app",
        ),
    ]
    for key, title, description, priority, due, estimate, path, project in rows:
        yield SeedRecord(
            entity="Task",
            key=f"task:{key}",
            values={
                "title": title,
                "description": description,
                "priority": priority,
                "due_date": due,
                "estimate_hours": estimate,
            },
            refs={"project": f"project:{project}"},
            transitions=path,
        )


def doctors() -> Iterator[SeedRecord]:
    rows: list[tuple[str, str, str, str, str]] = [
        (
            "hartmann",
            "Dr. Julia Hartmann",
            "general_practice",
            "julia.hartmann@clinic.example.com",
            "+1 617 555 0301",
        ),
        (
            "osei",
            "Dr. Kwame Osei",
            "cardiology",
            "kwame.osei@clinic.example.com",
            "+1 617 555 0302",
        ),
        (
            "moreau",
            "Dr. Claire Moreau",
            "dermatology",
            "claire.moreau@clinic.example.com",
            "+1 617 555 0303",
        ),
        (
            "tanaka",
            "Dr. Hiro Tanaka",
            "pediatrics",
            "hiro.tanaka@clinic.example.com",
            "+1 617 555 0304",
        ),
        (
            "alvarez",
            "Dr. Marco Alvarez",
            "orthopedics",
            "marco.alvarez@clinic.example.com",
            "+1 617 555 0305",
        ),
    ]
    for key, name, specialty, email, phone in rows:
        yield SeedRecord(
            entity="Doctor",
            key=f"doctor:{key}",
            values={"full_name": name, "specialty": specialty, "email": email, "phone": phone},
        )


def patients() -> Iterator[SeedRecord]:
    rows: list[tuple[str, str, str, str, dt.date, str]] = [
        (
            "anna-berg",
            "Anna Berg",
            "anna.berg@mail.example.com",
            "+1 617 555 0411",
            dt.date(1984, 3, 14),
            "NWH-100234",
        ),
        (
            "ben-carter",
            "Ben Carter",
            "ben.carter@mail.example.com",
            "+1 617 555 0412",
            dt.date(1959, 11, 2),
            "NWH-100871",
        ),
        (
            "chloe-dubois",
            "Chloe Dubois",
            "chloe.dubois@mail.example.com",
            "+1 617 555 0413",
            dt.date(1992, 7, 28),
            "BCX-552019",
        ),
        (
            "diego-fernandez",
            "Diego Fernandez",
            "diego.f@mail.example.com",
            "+1 617 555 0414",
            dt.date(2017, 5, 9),
            "BCX-552020",
        ),
        (
            "elif-yilmaz",
            "Elif Yilmaz",
            "elif.yilmaz@mail.example.com",
            "+1 617 555 0415",
            dt.date(1976, 1, 21),
            "AET-7730041",
        ),
        (
            "frank-osullivan",
            "Frank O'Sullivan",
            "frank.osullivan@mail.example.com",
            "+1 617 555 0416",
            dt.date(1948, 9, 30),
            "MED-33418852",
        ),
        (
            "grace-li",
            "Grace Li",
            "grace.li@mail.example.com",
            "+1 617 555 0417",
            dt.date(2001, 12, 5),
            "AET-7730952",
        ),
        (
            "hamza-rahman",
            "Hamza Rahman",
            "hamza.rahman@mail.example.com",
            "+1 617 555 0418",
            dt.date(2020, 4, 17),
            "NWH-101556",
        ),
    ]
    for key, name, email, phone, born, insurance in rows:
        yield SeedRecord(
            entity="Patient",
            key=f"patient:{key}",
            values={
                "full_name": name,
                "email": email,
                "phone": phone,
                "date_of_birth": born,
                "insurance_number": insurance,
            },
        )


def appointments() -> Iterator[SeedRecord]:
    rows: list[tuple[str, dt.datetime, int, str, tuple[str, ...], str, str]] = [
        # key, starts_at, minutes, reason, path, patient, doctor
        (
            "berg-checkup",
            _at(3, 2, 14),
            30,
            "Annual check-up",
            TO_COMPLETED,
            "anna-berg",
            "hartmann",
        ),
        (
            "carter-ecg",
            _at(3, 3, 15, 30),
            45,
            "ECG follow-up after palpitations",
            TO_COMPLETED,
            "ben-carter",
            "osei",
        ),
        (
            "dubois-rash",
            _at(3, 5, 9),
            20,
            "Persistent rash on forearm",
            TO_CANCELLED,
            "chloe-dubois",
            "moreau",
        ),
        (
            "fernandez-vaccines",
            _at(3, 9, 13),
            30,
            "Routine vaccinations",
            TO_COMPLETED,
            "diego-fernandez",
            "tanaka",
        ),
        (
            "yilmaz-knee",
            _at(3, 10, 16),
            40,
            "Knee pain when climbing stairs",
            TO_CHECKED_IN,
            "elif-yilmaz",
            "alvarez",
        ),
        (
            "osullivan-bp",
            _at(3, 11, 14, 30),
            30,
            "Blood pressure review",
            TO_CONFIRMED,
            "frank-osullivan",
            "osei",
        ),
        ("li-mole", _at(3, 12, 10), 20, "Mole check", TO_CONFIRMED, "grace-li", "moreau"),
        ("rahman-fever", _at(3, 12, 15), 30, "Recurring fever", (), "hamza-rahman", "tanaka"),
        (
            "berg-bloodwork",
            _at(3, 16, 8, 30),
            15,
            "Blood test results",
            (),
            "anna-berg",
            "hartmann",
        ),
        (
            "carter-stress-test",
            _at(3, 18, 13),
            90,
            "Exercise stress test",
            ("confirmed", "cancelled"),
            "ben-carter",
            "osei",
        ),
        (
            "yilmaz-physio",
            _at(3, 24, 16),
            60,
            "Post-injury physiotherapy plan",
            (),
            "elif-yilmaz",
            "alvarez",
        ),
        (
            "osullivan-flu",
            _at(3, 26, 11),
            30,
            "Flu vaccination",
            TO_CONFIRMED,
            "frank-osullivan",
            "hartmann",
        ),
    ]
    for key, starts_at, minutes, reason, path, patient, doctor in rows:
        yield SeedRecord(
            entity="Appointment",
            key=f"appointment:{key}",
            values={"starts_at": starts_at, "duration_minutes": minutes, "reason": reason},
            refs={"patient": f"patient:{patient}", "doctor": f"doctor:{doctor}"},
            transitions=path,
        )


def seed_records() -> Iterator[SeedRecord]:
    """Every demo record, each after the records it refers to."""
    yield from companies()
    yield from contacts()
    yield from projects()
    yield from tasks()
    yield from doctors()
    yield from patients()
    yield from appointments()
