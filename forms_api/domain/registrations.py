"""培训讲座报名 (F.1.4): registering for a lecture, the waitlist, and the sign-in list.

- An event has ``capacity`` places (:mod:`.places`: never more registrations than places, with
  any number of workers). When they are taken, or while anyone is waiting, a registration joins
  the waitlist with its number in the queue.
- One registration per phone number per event (the number hashed with a key, like lookup codes).
- Cancelling a registration (receipt number and lookup code) frees its place and, in the same
  write, gives it to the first person on the waitlist, who is told by a notice; cancelling a
  waitlisted registration just leaves the queue.
- Registration closes at the end of ``register_until`` (China time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from forms_api.storage.crypto import new_lookup_code
from forms_api.storage.embedded import Insert
from forms_api.storage.jobs import Job
from forms_api.storage.query import Query
from generator import forms
from generator.schema import Event

from . import places
from .errors import Conflict, Invalid
from .reading import all_of
from .receipts import normalize
from .submissions import Receipt, Service, event, now

KIND = "registration"
REGISTERED, WAITLISTED, CANCELLED = "已报名", "候补", "已取消"
PROMOTED_EVENT = "registration_promoted"


class Registrations:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store
        self.catalog = service.catalog

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self.catalog.events if e.id == event_id), None)

    @staticmethod
    def open_at(event: Event, at: dt.datetime) -> bool:
        return at.date() <= event.register_until

    async def of_event(self, event_id: str, *status: str) -> list[dict[str, Any]]:
        query = Query(kind=KIND, target=event_id, status=frozenset(status) if status else None)
        return await all_of(self.store, query)

    async def counts(self, event: Event) -> dict[str, int]:
        registered = len(await self.of_event(event.id, REGISTERED))
        waiting = len(await self.of_event(event.id, WAITLISTED))
        return {
            "capacity": event.capacity,
            "registered": registered,
            "left": max(0, event.capacity - registered),
            "waiting": waiting,
        }

    def _attendee(self, event_id: str, phone: str) -> str:
        return f"attendee:{event_id}:{self.service.vault.code_hash('phone:' + phone)}"

    async def register(self, raw: Mapping[str, Any], channel: str, at: dt.datetime | None = None) -> Receipt:
        at = at or now()
        values, problems = self.service._check(raw, forms.REGISTRATION)
        found = self.event(values.get("event", "")) if "event" not in problems else None
        if found is None and "event" not in problems:
            problems["event"] = "没有这个讲座或培训"
        elif found is not None and not self.open_at(found, at):
            problems["event"] = f"报名已于 {found.register_until.month}月{found.register_until.day}日截止"
        if problems or found is None:
            raise Invalid(problems)
        phone = values["phone"].replace(" ", "")
        receipt_no = await self.service.numbers.next(KIND, at.date())
        code = new_lookup_code()
        attendee = self._attendee(found.id, phone)
        record: dict[str, Any] = {
            "kind": KIND,
            "receipt_no": receipt_no,
            "lookup": self.service.vault.code_hash(code),
            "submitted_at": at.isoformat(timespec="seconds"),
            "channel": channel,
            "event": found.id,
            "event_title": found.title,
            "target": found.id,
            "name": values["name"],
            "organisation": values.get("organisation", ""),
            **self.service._phone(phone),
            "email": values.get("email", ""),
            "attendee": attendee,
            "attendee_round": await places.round_of(self.store, attendee),
        }
        person_key = places.held(attendee, record["attendee_round"])
        if not await self.of_event(found.id, WAITLISTED):  # nobody waiting: try for a place
            for n in range(1, found.capacity + 1):
                seat = f"seat:{found.id}:{n}"
                taken = {
                    **record,
                    "status": REGISTERED,
                    "seat": seat,
                    "round": await places.round_of(self.store, seat),
                }
                taken["timeline"] = [event(REGISTERED, "报名成功", at)]
                try:
                    await self.store.write(
                        inserts=[
                            Insert(KIND, receipt_no, taken, (places.held(seat, taken["round"]), person_key))
                        ]
                    )
                except KeyError as refused:
                    if str(refused.args[0]) == person_key:  # this phone number has registered
                        raise Conflict("这个手机号码已经报名了这次活动") from None
                    if places.is_place(refused.args[0]):
                        continue
                    raise
                return Receipt(receipt_no, code, REGISTERED, {"event": found.title})
        position = await self.store.next_number(f"waitlist:{found.id}")
        waiting = {
            **record,
            "status": WAITLISTED,
            "waitlist": position,
            "timeline": [event(WAITLISTED, f"名额已满，候补第 {position} 位", at)],
        }
        try:
            await self.store.write(inserts=[Insert(KIND, receipt_no, waiting, (person_key,))])
        except KeyError:
            raise Conflict("这个手机号码已经报名了这次活动") from None
        return Receipt(receipt_no, code, WAITLISTED, {"event": found.title, "waitlist": position})

    async def cancel(self, raw: Mapping[str, Any], at: dt.datetime | None = None) -> dict[str, Any]:
        at = at or now()
        stamp = at.isoformat(timespec="seconds")
        receipt_no = normalize(str(raw.get("receipt_no", "")))
        record = await self.service.own_record(receipt_no, str(raw.get("code", "")), kinds=(KIND,))
        if record is None:
            raise Invalid({"receipt_no": "报名编号或查询码不正确，请核对报名回执"})
        if record["status"] == CANCELLED:
            raise Conflict("这个报名已经取消")
        for _ in range(5):  # another cancellation promoting the same person: the next one
            inserts = [places.freeing(record["attendee"], record["attendee_round"], stamp)]
            updates = [(record["receipt_no"], _cancelled(record, at))]
            jobs: list[Job] = []
            if record["status"] == REGISTERED:
                inserts.append(places.freeing(record["seat"], record["round"], stamp))
                waiting = sorted(
                    await self.of_event(record["event"], WAITLISTED), key=lambda r: r["waitlist"]
                )
                if waiting:  # the place goes to the first in the queue, in the same write
                    first, seat, next_round = waiting[0], record["seat"], record["round"] + 1
                    updates.append((first["receipt_no"], _promoted(first, seat, next_round, at)))
                    # the freed place's next round is held for the promoted person; promoted once only
                    promotion = {"kind": "promotion", "registration": first["receipt_no"], "at": stamp}
                    unique = (f"promoted:{first['receipt_no']}",)
                    inserts.append(Insert("promotion", places.held(seat, next_round), promotion, unique))
                    payload = {"receipt_no": first["receipt_no"], "event": PROMOTED_EVENT, "channel": "sms"}
                    jobs.append(
                        Job(
                            f"notice:{first['receipt_no']}:promoted:sms",
                            "notice",
                            payload,
                            at,
                            record=first["receipt_no"],
                        )
                    )
            try:
                await self.store.write(inserts=inserts, updates=updates, jobs=jobs)
            except KeyError as refused:
                if str(refused.args[0]).startswith("promoted:"):
                    continue
                raise
            break
        return {"receipt_no": record["receipt_no"], "status": CANCELLED}


def _cancelled(record: Mapping[str, Any], at: dt.datetime) -> dict[str, Any]:
    return {
        "status": CANCELLED,
        "timeline": [*record["timeline"], event(CANCELLED, "报名人取消报名", at)],
        "revision": record.get("revision", 0) + 1,
    }


def _promoted(record: Mapping[str, Any], seat: str, round_: int, at: dt.datetime) -> dict[str, Any]:
    return {
        "status": REGISTERED,
        "seat": seat,
        "round": round_,
        "timeline": [*record["timeline"], event(REGISTERED, "有人取消报名，候补转为正式报名", at)],
        "revision": record.get("revision", 0) + 1,
    }
