<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>QObject</name>
    <message numerus="yes">
        <source>%n item(s) need attention before treatment (marked below).</source>
        <translation>
            <numerusform>%n item needs attention before treatment (marked below).</numerusform>
            <numerusform>%n items need attention before treatment (marked below).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Move the %n later session(s) of this plan by the same time too?</source>
        <translation>
            <numerusform>Move the later session of this plan by the same time too?</numerusform>
            <numerusform>Move the %n later sessions of this plan by the same time too?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n photo</numerusform>
            <numerusform>%n photos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Norwood %1 from %n photo(s) of %2 (%3)</source>
        <translation>
            <numerusform>Norwood %1 from %n photo of %2 (%3)</numerusform>
            <numerusform>Norwood %1 from %n photos of %2 (%3)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unreferenced file(s)</source>
        <translation>
            <numerusform>%n unreferenced file</numerusform>
            <numerusform>%n unreferenced files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Backed up to %1 (%n new photo file(s) in %2)</source>
        <translation>
            <numerusform>Backed up to %1 (%n new photo file in %2)</numerusform>
            <numerusform>Backed up to %1 (%n new photo files in %2)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n file(s) refused</source>
        <translation>
            <numerusform>%1 of %n file refused</numerusform>
            <numerusform>%1 of %n files refused</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved %n screening answer(s) for client %1</source>
        <translation>
            <numerusform>Saved %n screening answer for client %1</numerusform>
            <numerusform>Saved %n screening answers for client %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, with %n photo(s)</source>
        <translation>
            <numerusform>%1, with %n photo</numerusform>
            <numerusform>%1, with %n photos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tile(s) corrected</source>
        <translation>
            <numerusform>%n tile corrected</numerusform>
            <numerusform>%n tiles corrected</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tile(s) reverted</source>
        <translation>
            <numerusform>%n tile reverted</numerusform>
            <numerusform>%n tiles reverted</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Backup %1 (schema version %2): database passes the integrity check, %n photo file(s) checked</source>
        <translation>
            <numerusform>Backup %1 (schema version %2): database passes the integrity check, %n photo file checked</numerusform>
            <numerusform>Backup %1 (schema version %2): database passes the integrity check, %n photo files checked</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>smp::gui::ClientListModel</name>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n photo</numerusform>
            <numerusform>%n photos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>smp::gui::ClientPage</name>
    <message numerus="yes">
        <source>Screening: %n item(s) need clearance</source>
        <translation>
            <numerusform>Screening: %n item needs clearance</numerusform>
            <numerusform>Screening: %n items need clearance</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved %n screening answer(s)</source>
        <translation>
            <numerusform>Saved %n screening answer</numerusform>
            <numerusform>Saved %n screening answers</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s). Drop more here to import them.</source>
        <translation>
            <numerusform>%n photo. Drop more here to import them.</numerusform>
            <numerusform>%n photos. Drop more here to import them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n photo(s)</source>
        <translation>
            <numerusform>Imported %n photo</numerusform>
            <numerusform>Imported %n photos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n file(s) could not be imported.</source>
        <translation>
            <numerusform>%1 of %n file could not be imported.</numerusform>
            <numerusform>%1 of %n files could not be imported.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already among this client&apos;s photos (skipped)</source>
        <translation>
            <numerusform>%n already among this client&apos;s photos (skipped)</numerusform>
            <numerusform>%n already among this client&apos;s photos (skipped)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n damaged or missing photo file(s) mended</source>
        <translation>
            <numerusform>%n damaged or missing photo file mended</numerusform>
            <numerusform>%n damaged or missing photo files mended</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) were already this client&apos;s, but their file in the library was damaged or missing: this import put it back.</source>
        <translation>
            <numerusform>%n photo was already this client&apos;s, but its file in the library was damaged or missing: this import put it back.</numerusform>
            <numerusform>%n photos were already this client&apos;s, but their files in the library were damaged or missing: this import put them back.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>smp::gui::MainWindow</name>
    <message numerus="yes">
        <source>%n client(s)</source>
        <translation>
            <numerusform>%n client</numerusform>
            <numerusform>%n clients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %1 with all their records and %n photo(s)?

This cannot be undone; make a backup first if unsure.</source>
        <translation>
            <numerusform>Delete %1 with all their records and %n photo?

This cannot be undone; make a backup first if unsure.</numerusform>
            <numerusform>Delete %1 with all their records and %n photos?

This cannot be undone; make a backup first if unsure.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n client(s)</source>
        <translation>
            <numerusform>%1 of %n client</numerusform>
            <numerusform>%1 of %n clients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s) found in the backup %1: what is named cannot be restored as it was saved.</source>
        <translation>
            <numerusform>%n problem found in the backup %1: what is named cannot be restored as it was saved.</numerusform>
            <numerusform>%n problems found in the backup %1: what is named cannot be restored as it was saved.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The backup %1 and its %n photo(s) can be restored: its records pass the integrity check and every photo file holds the bytes it was imported with.</source>
        <translation>
            <numerusform>The backup %1 and its %n photo can be restored: its records pass the integrity check and the photo file holds the bytes it was imported with.</numerusform>
            <numerusform>The backup %1 and its %n photos can be restored: its records pass the integrity check and every photo file holds the bytes it was imported with.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>smp::gui::PhotoViewer</name>
    <message numerus="yes">
        <source>Corrections on the map (%n tile(s)) could not be stored: %1

Try again once the database is free, or close and lose them?</source>
        <translation>
            <numerusform>Corrections on the map (%n tile) could not be stored: %1

Try again once the database is free, or close and lose them?</numerusform>
            <numerusform>Corrections on the map (%n tiles) could not be stored: %1

Try again once the database is free, or close and lose them?</numerusform>
        </translation>
    </message>
</context>
</TS>
