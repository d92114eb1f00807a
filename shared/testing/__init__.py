"""Helpers for tests of the platform's services and adapters."""
