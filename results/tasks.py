"""Background jobs of the results app (upload import, recomputation) live here."""
