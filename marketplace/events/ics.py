"""iCalendar (.ics) agenda of a participant: the event and each placed 1:1 meeting, in Asia/Shanghai time."""

from datetime import UTC

from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as IcsEvent

from .services import MARKET_TZ


def _local(utc_naive):
    return utc_naive.replace(tzinfo=UTC).astimezone(MARKET_TZ)


def agenda_ics(event, agenda, event_url, domain="jxtm"):
    """Bytes of a VCALENDAR with a VTIMEZONE for Asia/Shanghai; `agenda` is meetings.agenda_of(...)."""
    cal = Calendar()
    cal.add("prodid", "-//Jiangxi Technology Market//Events//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    main = IcsEvent()
    main.add("uid", f"event-{event.id}@{domain}")
    main.add("summary", event.title)
    main.add("dtstart", _local(event.starts_at))
    main.add("dtend", _local(event.ends_at))
    main.add("location", event.venue or event.online_url)
    main.add("url", event_url)
    cal.add_component(main)
    for meeting, start, end, other in agenda:
        item = IcsEvent()
        item.add("uid", f"event-{event.id}-meeting-{meeting.id}@{domain}")
        item.add("summary", _("对接洽谈：%(name)s（%(org)s）", name=other.name, org=other.organisation.name))
        item.add("dtstart", _local(start))
        item.add("dtend", _local(end))
        item.add("location", " ".join(x for x in (event.venue, _("第 %(n)s 桌", n=meeting.table_no)) if x))
        item.add("description", meeting.message or "")
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def notification_attachments(note):
    """The .ics agenda attached to an "event_agenda" e-mail, built when it is sent (so it is the latest one);
    nothing when the person no longer has a confirmed seat."""
    from ..extensions import db
    from ..urls import external_url
    from . import meetings, services
    from .models import Event

    event = db.session.get(Event, (note.endpoint_values or {}).get("event_id") or 0)
    reg = services.registration_of(event.id, note.user_id) if event is not None else None
    if reg is None or reg.status != "confirmed":
        return []
    body = agenda_ics(event, meetings.agenda_of(event, reg.user), external_url("events.detail", event_id=event.id))
    return [(f"event-{event.id}-agenda.ics", "text/calendar", body)]
