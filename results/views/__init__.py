"""Pages of the results app: the catalog, uploads and the ФИС ОКО reports."""
