"""Pages of observers, by page group: ``overview`` (the entry page and coverage),
``registry``, ``schedule``, ``assignments`` (and planning), ``acts``."""
