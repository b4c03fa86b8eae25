"""Every task the service runs, by name, and the runner that runs them."""

from __future__ import annotations

from forms_api.delivery.notifier import Notifier

from ..appointments import Appointments
from ..casework import Casework
from ..queues import departments_of, item_departments
from ..staff.accounts import Accounts
from . import housekeeping, notices, visits
from .reminders import Watch
from .runner import Handler, Policy, Runner
from .schedule import daily_jobs


def handlers(casework: Casework, notifier: Notifier, accounts: Accounts) -> dict[str, Handler]:
    service = casework.service
    responsible = item_departments(service)

    def department_of(record: dict) -> str:
        rules = casework.rules(record)
        return rules.department if rules else next(iter(sorted(departments_of(record, responsible))), "")

    return {
        notices.TASK: notices.notice_handler(service, notifier),
        visits.TASK: visits.visit_handler(service, department_of),
        "uploads": housekeeping.uploads_handler(service),
        "retention": housekeeping.retention_handler(service),
        "no_shows": housekeeping.no_shows_handler(Appointments(service)),
        **Watch(casework, notifier, accounts).handlers(),
    }


def runner(casework: Casework, notifier: Notifier, accounts: Accounts) -> Runner:
    """The service's runner: every task, the daily schedule, the settings' policy."""
    return Runner(
        casework.service,
        handlers(casework, notifier, accounts),
        policy=Policy.of(casework.service.settings),
        schedule=daily_jobs,
    )
