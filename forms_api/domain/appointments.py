"""预约办理 (T/CIPS 007—2024 E.4.5): window appointments for an item at a service point.

Rules (slots themselves: :mod:`.slots`):

- an item that supports appointments can be booked at the points its places name that take
  them (a window's appointments are its hall's or station's: :mod:`generator.booking`);
- a slot holds at most the point's ``capacity`` bookings, all items together — **never more**,
  with any number of workers and hosts: each booking holds one of the slot's numbered places
  (:mod:`.places`: ``<point>:<slot>:<n>``, a unique key per round), and of two bookings
  racing for the last place the store lets exactly one in; the other tries the next place
  and, with none left, is told the slot is full;
- one active booking per ID number per item, the same way (the place ``person:<hash>:<item>``,
  the hash keyed, so the key does not reveal the number);
- a cancelled or moved booking frees its place (and the person's) in the same write; the next
  booking of that place takes its next round. Marking
  已到 or 未到 frees the person's turn, not the place (the slot has passed).

A booking is a record of kind ``appointment`` with a receipt number (YY…) and a lookup code,
like every submission; the day before, a reminder notice goes out through the job queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from forms_api.storage.crypto import mask_id, new_lookup_code
from forms_api.storage.embedded import Insert
from forms_api.storage.jobs import Job
from forms_api.storage.query import Query
from generator import forms
from generator.booking import booking_points
from generator.schema import Item, ServicePoint

from . import places
from . import slots as slot_rules
from .errors import Conflict, Invalid
from .reading import all_of
from .receipts import normalize
from .submissions import Receipt, Service, event, item_ref, now

KIND = "appointment"
BOOKED, CANCELLED, ARRIVED, MISSED = "已预约", "已取消", "已到", "未到"
STATES = (BOOKED, CANCELLED, ARRIVED, MISSED)
REMINDER_TASK = "notice"
REMINDER_EVENT = "appointment_reminder"
REMINDER_HOUR = 9
"""Reminders go out at 9:00 China time on the working day before (or at once if that is past)."""
FULL = "这个时段已约满，请选择其他时段"


def target(point_id: str, day: dt.date | str) -> str:
    """What the store indexes an appointment by: its point and day (the staff's day list)."""
    return f"{point_id}@{day}"


class Appointments:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store
        self.catalog = service.catalog

    # --- where and when -------------------------------------------------------------------------

    def points_of(self, slug: str) -> list[ServicePoint]:
        """The points an item can be booked at (:func:`generator.booking.booking_points`)."""
        return booking_points(self.catalog, slug)

    def bookable_items(self) -> dict[str, Item]:
        return {
            slug: item
            for slug, item in self.catalog.items.items()
            if item.status.state == "在用" and self.points_of(slug)
        }

    async def taken(self, point: ServicePoint, day: dt.date) -> dict[str, int]:
        """Bookings held per slot key on ``day`` at ``point``."""
        found: dict[str, int] = {}
        for record in await all_of(
            self.store, Query(kind=KIND, status={BOOKED}, target=target(point.id, day))
        ):
            found[record["slot"]] = found.get(record["slot"], 0) + 1
        return found

    async def availability(self, point: ServicePoint, at: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Every bookable slot with the places left, earliest first."""
        at = at or now()
        assert point.appointments is not None
        capacity = point.appointments.capacity
        days: dict[dt.date, dict[str, int]] = {}
        found = []
        for slot in slot_rules.bookable(point, at):
            if slot.day not in days:
                days[slot.day] = await self.taken(point, slot.day)
            left = max(0, capacity - days[slot.day].get(slot.key, 0))
            found.append({"slot": slot.key, "label": slot.label(), "left": left})
        return found

    # --- booking ---------------------------------------------------------------------------------

    def _where(
        self, values: Mapping[str, str], problems: dict[str, str]
    ) -> tuple[str, Item, ServicePoint] | None:
        code = values.get("item_code", "")
        found = next(
            ((s, i) for s, i in self.catalog.items.items() if code in (s, i.implementation_code)), None
        )
        if found is None or found[1].status.state != "在用":
            problems["item_code"] = "没有这个可预约的事项，请从办事指南进入预约"
            return None
        slug, item = found
        point = next((p for p in self.points_of(slug) if p.id == values.get("point")), None)
        if point is None:
            problems["point"] = "这个网点不办理该事项的预约，请重新选择网点"
            return None
        return slug, item, point

    def _slot(
        self, point: ServicePoint, key: str, at: dt.datetime, problems: dict[str, str], field: str = "slot"
    ) -> slot_rules.Slot | None:
        slot = slot_rules.find(point, key)
        if slot is None:
            problems[field] = "这个网点在该时间不办理预约（节假日不开放，请选择列出的时段）"
            return None
        if not slot_rules.open_for_booking(point, slot, at):
            assert point.appointments is not None
            problems[field] = (
                f"这个时段已不能预约：只能预约今后 {point.appointments.days_ahead} 个工作日内、"
                f"开始前 {point.appointments.cutoff_hours} 小时以上的时段"
            )
            return None
        return slot

    def _reminder(self, receipt_no: str, slot: slot_rules.Slot, channel: str, at: dt.datetime) -> Job:
        day_before = slot.day - dt.timedelta(days=1)
        when = dt.datetime.combine(day_before, dt.time(REMINDER_HOUR), at.tzinfo)
        return Job(
            f"{REMINDER_TASK}:{receipt_no}:{slot.key}:{channel}",
            REMINDER_TASK,
            {"receipt_no": receipt_no, "event": REMINDER_EVENT, "channel": channel, "slot": slot.key},
            max(when, at),
            record=receipt_no,
        )

    async def _take(
        self,
        point: ServicePoint,
        slot: slot_rules.Slot,
        record: dict[str, Any],
        person: str,
        *,
        updates: list[tuple[str, dict[str, Any]]] | None = None,
        freed: list[tuple[str, int]] | None = None,
        person_round: int | None = None,
    ) -> dict[str, Any]:
        """Store ``record`` holding one of the slot's places: the first free one, in one write
        with ``updates`` and the ``freed`` markers (a move, whose person's turn is the one after
        the turn it frees). Conflict when none is left."""
        assert point.appointments is not None
        if person_round is None:
            person_round = await places.round_of(self.store, person)
        for n in range(1, point.appointments.capacity + 1):
            place = f"{point.id}:{slot.key}:{n}"
            taken = {
                **record,
                "place": place,
                "round": await places.round_of(self.store, place),
                "person_round": person_round,
            }
            unique = (places.held(place, taken["round"]), places.held(person, person_round))
            inserts = [Insert(KIND, record["receipt_no"], taken, unique)]
            inserts += [places.freeing(name, round_, record["booked_at"]) for name, round_ in freed or ()]
            jobs = [self._reminder(record["receipt_no"], slot, "sms", now())]
            try:
                await self.store.write(inserts=inserts, updates=updates or [], jobs=jobs)
            except KeyError as taken_key:
                if str(taken_key.args[0]).startswith(
                    places.held("person:", 0)[: -len("person::0")] + "person:"
                ):
                    raise Conflict(
                        "您已预约了这个事项，同一人同一事项只能有一个有效预约；如需改时间，请用预约编号改约"
                    ) from None
                if places.is_place(taken_key.args[0]):
                    continue  # taken by someone else just now: the next place
                raise
            return taken
        raise Conflict(FULL)

    async def book(self, raw: Mapping[str, Any], channel: str, at: dt.datetime | None = None) -> Receipt:
        at = at or now()
        values, problems = self.service._check(raw, forms.APPOINTMENT)
        where = self._where(values, problems) if "item_code" not in problems else None
        slot = (
            self._slot(where[2], values.get("slot", ""), at, problems)
            if where and "slot" not in problems
            else None
        )
        if problems or where is None or slot is None:
            raise Invalid(problems or {"slot": "请选择预约时段"})
        slug, item, point = where
        number = values["id_number"].upper()
        receipt_no = await self.service.numbers.next(KIND, at.date())
        code = new_lookup_code()
        record = {
            "kind": KIND,
            "receipt_no": receipt_no,
            "lookup": self.service.vault.code_hash(code),
            "status": BOOKED,
            "submitted_at": at.isoformat(timespec="seconds"),
            "booked_at": at.isoformat(timespec="seconds"),
            "channel": channel,
            "name": values["name"],
            "id_number_enc": self.service.vault.encrypt(number),
            "id_number_masked": mask_id(number),
            **self.service._phone(values["phone"]),
            "item": item_ref((slug, item)),
            "point": point.id,
            "point_name": point.name,
            "day": slot.day.isoformat(),
            "slot": slot.key,
            "slot_label": slot.label(),
            "target": target(point.id, slot.day),
            "timeline": [event(BOOKED, f"预约 {slot.label()}，{point.name}", at)],
        }
        stored = await self._take(point, slot, record, self._person(number, slug))
        return Receipt(receipt_no, code, BOOKED, self._shown(stored))

    def _person(self, number: str, slug: str) -> str:
        return f"person:{self.service.vault.code_hash('id:' + number)}:{slug}"

    @staticmethod
    def _shown(record: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "item": record["item"]["name"],
            "point": record["point_name"],
            "slot": record["slot"],
            "slot_label": record["slot_label"],
        }

    # --- cancelling and moving ---------------------------------------------------------------------

    async def find_own(self, receipt_no: str, code: str) -> dict[str, Any] | None:
        """The booking with this number if ``code`` is its lookup code, else None (an unknown
        number and a wrong code take the same work and give the same answer)."""
        return await self.service.own_record(normalize(receipt_no), code, kinds=(KIND,))

    async def _own(self, raw: Mapping[str, Any], problems: dict[str, str]) -> dict[str, Any] | None:
        record = await self.find_own(str(raw.get("receipt_no", "")), str(raw.get("code", "")))
        if record is None:
            problems["receipt_no"] = "预约编号或查询码不正确，请核对预约回执"
            return None
        if record["status"] != BOOKED:
            raise Conflict(f"这个预约已{record['status'].removeprefix('已')}，不能再取消或改约")
        return record

    def _freed(self, record: Mapping[str, Any]) -> list[tuple[str, int]]:
        person = self._person(
            self.service.vault.decrypt(record["id_number_enc"]), _slug_of(self.catalog, record)
        )
        return [(record["place"], record["round"]), (person, record["person_round"])]

    async def cancel(self, raw: Mapping[str, Any], at: dt.datetime | None = None) -> dict[str, Any]:
        at = at or now()
        values, problems = self.service._check(raw, forms.APPOINTMENT_CHANGE)
        record = await self._own(values, problems) if not problems else None
        if problems or record is None:
            raise Invalid(problems)
        timeline = [*record["timeline"], event(CANCELLED, "申请人取消预约", at)]
        inserts = [
            places.freeing(name, round_, at.isoformat(timespec="seconds"))
            for name, round_ in self._freed(record)
        ]
        await self.store.write(
            inserts=inserts,
            updates=[
                (
                    record["receipt_no"],
                    {"status": CANCELLED, "timeline": timeline, "revision": record.get("revision", 0) + 1},
                )
            ],
        )
        return {"receipt_no": record["receipt_no"], "status": CANCELLED}

    async def move(self, raw: Mapping[str, Any], at: dt.datetime | None = None) -> Receipt:
        """Another slot for the same booking: a new booking (new number and code) and the old
        one cancelled, in one write; the old place is freed only if the new one is taken."""
        at = at or now()
        values, problems = self.service._check(raw, forms.APPOINTMENT_CHANGE)
        record = await self._own(values, problems) if not problems else None
        point = self.catalog.points.get(record["point"]) if record else None
        if record is not None and point is not None and not values.get("slot"):
            problems["slot"] = "请选择新的预约时段"
        slot = (
            self._slot(point, values["slot"], at, problems)
            if record and point and "slot" not in problems
            else None
        )
        if problems or record is None or point is None or slot is None:
            raise Invalid(problems)
        number = self.service.vault.decrypt(record["id_number_enc"])
        slug = _slug_of(self.catalog, record)
        receipt_no = await self.service.numbers.next(KIND, at.date())
        code = new_lookup_code()
        moved = {
            **{
                k: v
                for k, v in record.items()
                if k not in ("timeline", "revision", "place", "round", "person_round")
            },
            "receipt_no": receipt_no,
            "lookup": self.service.vault.code_hash(code),
            "booked_at": at.isoformat(timespec="seconds"),
            "moved_from": record["receipt_no"],
            "day": slot.day.isoformat(),
            "slot": slot.key,
            "slot_label": slot.label(),
            "target": target(point.id, slot.day),
            "timeline": [event(BOOKED, f"由预约 {record['receipt_no']} 改约至 {slot.label()}", at)],
        }
        old = (
            record["receipt_no"],
            {
                "status": CANCELLED,
                "moved_to": receipt_no,
                "timeline": [
                    *record["timeline"],
                    event(CANCELLED, f"改约至 {slot.label()}（{receipt_no}）", at),
                ],
                "revision": record.get("revision", 0) + 1,
            },
        )
        freed = self._freed(record)  # the old place and the person's turn, in the same write
        person = self._person(number, slug)
        stored = await self._take(
            point, slot, moved, person, updates=[old], freed=freed, person_round=record["person_round"] + 1
        )
        return Receipt(receipt_no, code, BOOKED, self._shown(stored))

    # --- staff ----------------------------------------------------------------------------------

    async def day_list(self, point_id: str, day: dt.date) -> list[dict[str, Any]]:
        rows = await all_of(self.store, Query(kind=KIND, target=target(point_id, day)))
        return sorted(rows, key=lambda r: (r["slot"], r["receipt_no"]))

    async def mark(
        self, receipt_no: str, arrived: bool, actor: str, at: dt.datetime | None = None
    ) -> dict[str, Any]:
        at = at or now()
        record = await self.store.get(receipt_no)
        if record is None or record.get("kind") != KIND:
            raise Invalid({"receipt_no": "没有这个预约"})
        if record["status"] not in (BOOKED, ARRIVED, MISSED):
            raise Conflict("这个预约已取消")
        state = ARRIVED if arrived else MISSED
        timeline = [*record["timeline"], event(state, f"{actor} 标记为{state}", at)]
        inserts = []
        if record["status"] == BOOKED:  # the person's turn ends; the slot is over, its place stays
            person = self._person(
                self.service.vault.decrypt(record["id_number_enc"]), _slug_of(self.catalog, record)
            )
            inserts.append(places.freeing(person, record["person_round"], at.isoformat(timespec="seconds")))
        await self.store.write(
            inserts=inserts,
            updates=[
                (
                    receipt_no,
                    {"status": state, "timeline": timeline, "revision": record.get("revision", 0) + 1},
                )
            ],
        )
        return {**record, "status": state}


def _slug_of(catalog: Any, record: Mapping[str, Any]) -> str:
    return str(record["item"]["slug"])
