"""Intake: proposals in, review, registration (立案)."""
