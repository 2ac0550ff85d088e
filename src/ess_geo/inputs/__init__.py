"""User and fetched files → tidy frames plus what could not be read."""
