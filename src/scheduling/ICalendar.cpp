#include "smp/scheduling/ICalendar.h"

namespace smp::scheduling {

namespace {

QString utc(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
}

// Appends one content line, folded so that no line exceeds 75 octets (RFC 5545 3.1): a fold is
// CRLF and a space, never inside a UTF-8 sequence.
void appendLine(QByteArray &out, const QString &line)
{
    const QByteArray bytes = line.toUtf8();
    int used = 0;
    int limit = 75;
    for (qsizetype i = 0; i < bytes.size();) {
        // The length of the UTF-8 sequence that starts here.
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const int length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (used + length > limit) {
            out += "\r\n ";
            used = 0;
            limit = 74; // the leading space counts
        }
        out += bytes.mid(i, length);
        used += length;
        i += length;
    }
    out += "\r\n";
}

} // namespace

QString icsEscape(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('\\'))
            out += QStringLiteral("\\\\");
        else if (c == QLatin1Char(';'))
            out += QStringLiteral("\\;");
        else if (c == QLatin1Char(','))
            out += QStringLiteral("\\,");
        else if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else if (c != QLatin1Char('\r'))
            out += c;
    }
    return out;
}

QByteArray icsCalendar(const std::vector<CalendarEvent> &events, const QString &name,
                       const QDateTime &stamp)
{
    QByteArray out;
    appendLine(out, QStringLiteral("BEGIN:VCALENDAR"));
    appendLine(out, QStringLiteral("VERSION:2.0"));
    appendLine(out, QStringLiteral("PRODID:-//SMP Planner//Treatment schedule//EN"));
    appendLine(out, QStringLiteral("CALSCALE:GREGORIAN"));
    appendLine(out, QStringLiteral("METHOD:PUBLISH"));
    appendLine(out, QStringLiteral("X-WR-CALNAME:") + icsEscape(name));
    for (const CalendarEvent &e : events) {
        appendLine(out, QStringLiteral("BEGIN:VEVENT"));
        appendLine(out, QStringLiteral("UID:") + e.uid);
        appendLine(out, QStringLiteral("DTSTAMP:") + utc(stamp));
        if (e.allDay.isValid()) {
            appendLine(out, QStringLiteral("DTSTART;VALUE=DATE:") +
                                e.allDay.toString(QStringLiteral("yyyyMMdd")));
            appendLine(out, QStringLiteral("DTEND;VALUE=DATE:") +
                                e.allDay.addDays(1).toString(QStringLiteral("yyyyMMdd")));
            appendLine(out, QStringLiteral("TRANSP:TRANSPARENT"));
        } else {
            appendLine(out, QStringLiteral("DTSTART:") + utc(e.start));
            appendLine(out, QStringLiteral("DTEND:") + utc(e.end));
        }
        appendLine(out, QStringLiteral("SEQUENCE:%1").arg(e.sequence));
        if (e.lastModified.isValid())
            appendLine(out, QStringLiteral("LAST-MODIFIED:") + utc(e.lastModified));
        appendLine(out, QStringLiteral("SUMMARY:") + icsEscape(e.summary));
        if (!e.description.isEmpty())
            appendLine(out, QStringLiteral("DESCRIPTION:") + icsEscape(e.description));
        if (!e.location.isEmpty())
            appendLine(out, QStringLiteral("LOCATION:") + icsEscape(e.location));
        appendLine(out, e.cancelled ? QStringLiteral("STATUS:CANCELLED")
                                    : QStringLiteral("STATUS:CONFIRMED"));
        appendLine(out, QStringLiteral("END:VEVENT"));
    }
    appendLine(out, QStringLiteral("END:VCALENDAR"));
    return out;
}

} // namespace smp::scheduling
