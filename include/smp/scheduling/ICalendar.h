#pragma once

// iCalendar (RFC 5545) export of appointments (Qt Core only). Times are written in UTC ("Z"),
// so no VTIMEZONE is needed and every calendar program places them right; a recall is an
// all-day event on its date. UIDs are the appointments' own, stable across exports, and
// SEQUENCE grows with every change, so importing a newer export updates events in place.

#include <QDate>
#include <QDateTime>
#include <QString>

#include <vector>

namespace smp::scheduling {

struct CalendarEvent
{
    QString uid;      // stable, globally unique (e.g. "a1b2...@smp-planner")
    int sequence = 0; // revision: grows with each change
    QDateTime start;  // UTC; ignored for all-day events
    QDateTime end;    // UTC
    QDate allDay;     // valid: an all-day event on this date (a recall)
    QString summary;
    QString description;
    QString location;
    bool cancelled = false;
    QDateTime lastModified; // UTC
};

// A whole VCALENDAR with one VEVENT per event; lines folded at 75 octets, text escaped, CRLF
// line ends. `name` becomes X-WR-CALNAME; `stamp` is every event's DTSTAMP (UTC).
QByteArray icsCalendar(const std::vector<CalendarEvent> &events, const QString &name,
                       const QDateTime &stamp);

// Text as an iCalendar TEXT value: backslash, semicolon, comma and newline escaped.
QString icsEscape(const QString &text);

} // namespace smp::scheduling
