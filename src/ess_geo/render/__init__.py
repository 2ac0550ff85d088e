"""Map specs, HTML/PNG/PDF maps, reports and table writers: drawing only."""
