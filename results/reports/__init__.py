"""The ФИС ОКО report set: statistics (pure numpy), XLSX exports.

The selectors in :mod:`results.selectors.reports` load a user's scope into arrays and
call :mod:`results.reports.statistics`; pages, the API and the XLSX exports all render
the same report dictionaries.
"""
