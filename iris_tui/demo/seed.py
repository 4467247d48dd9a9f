"""Data the fake starts with: a fresh IRIS install, optionally plus a realistic incident."""

from __future__ import annotations

import datetime as dt

from iris_tui.demo.store import Store, iso, new_uuid, utcnow

DEMO_API_KEY = "demo-key-0000-not-a-secret"


def fresh_install(store: Store, api_key: str = DEMO_API_KEY) -> None:
    """What a freshly reset IRIS 2.4.20 holds (iris-api.md 22): admin, one customer, case #1."""
    now = utcnow()
    store.users[1] = {
        "user_id": store.next_id("user"), "user_uuid": new_uuid(), "user_name": "administrator",
        "user_login": "administrator", "user_email": "administrator@localhost",
        "user_active": True, "is_admin": True, "user_is_service_account": False,
        "api_key": api_key, "has_deletion_confirmation": False, "has_mini_sidebar": False,
    }
    store.customers[1] = {
        "customer_id": store.next_id("customer"), "customer_uuid": new_uuid(),
        "customer_name": "IrisInitialClient", "customer_description": None,
        "customer_sla": None, "custom_attributes": None,
        "creation_date": iso(now), "last_update_date": iso(now),
    }
    case_id = store.next_id("case")
    store.cases[case_id] = {
        "case_id": case_id, "case_uuid": new_uuid(), "name": "#1 - Initial Demo",
        "description": "This is a demonstration.", "soc_id": "soc_id_demo", "client_id": 1,
        "user_id": 1, "owner_id": 1, "open_date": iso(now.date()), "close_date": None,
        "initial_date": iso(now), "closing_note": None, "status_id": 0, "state_id": None,
        "classification_id": None, "severity_id": None, "reviewer_id": None,
        "review_status_id": None, "custom_attributes": None, "modification_history": None,
        "case_tags": "", "protagonists": [],
    }
    store.init_states(case_id)
    store.context_case[1] = case_id


def case_day(days_ago: int, hour: int = 9) -> dt.datetime:
    return (utcnow() - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
