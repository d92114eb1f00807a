"""Fault injection during a simulated session, checked against an oracle computed from the event store."""
