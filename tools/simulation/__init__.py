"""A whole session of proposals: generated as data, driven over HTTP against the platform as processes."""
