"""Views: the read side across agencies, built by projections from the event store."""
