"""Pages of the plans app, by who uses them: plans and items (staff), import, coordinators."""
