"""The registry has no background jobs yet: imports are small and run in the request."""
