"""Feedback: satisfaction, re-handling, closing."""
