"""Writes of the results app.

``catalog`` loads the test catalog; ``uploads`` runs an import from the uploaded file to
the stored version (the Celery job and the CLI both call it); ``storage`` writes pupils'
rows in bulk and swaps versions under a lock.
"""

from results.services.catalog import CatalogError, CatalogImportReport, import_catalog

__all__ = ["CatalogError", "CatalogImportReport", "import_catalog"]
