"""Writes of the plans app, one module per concern.

``documents`` (reading files through the parser), ``importing`` (all-or-nothing saving
and the preview drafts), ``editing`` (inline edits, add / move / delete), ``execution``
(statuses, school reports, evidence), ``copying`` (next period), ``reminders``,
``output`` (PDF and XLSX), ``schedule`` (event deadlines tied to the VPR dates).
"""
