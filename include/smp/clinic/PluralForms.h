#pragma once

class QCoreApplication;

namespace smp::clinic {

// The program's English plural forms: its sources say "%n photo(s)" (QObject::tr with a count),
// and without a translation loaded Qt shows that as written ("1 photo(s)"). Installs the bundled
// English translation (translations/smp_en.ts, compiled into the resources), which says
// "1 photo" and "2 photos", on `app` (which owns the translator). Call once, after the
// application object is made, on the thread that made it. Returns false when the bundled file
// cannot be loaded; the "(s)" forms are shown then.
bool installPluralForms(QCoreApplication &app);

} // namespace smp::clinic
