"""Every task the service runs, by name: what a :class:`~.runner.Runner` is given."""

from __future__ import annotations

from forms_api.delivery.notifier import Notifier

from ..submissions import Service
from . import notices
from .runner import Handler


def handlers(service: Service, notifier: Notifier) -> dict[str, Handler]:
    return {notices.TASK: notices.notice_handler(service, notifier)}
