"""Driving the platform over HTTP: the demo's stories and the end-to-end tests use the same client."""
