"""Reply: co-unit opinions, consultations (面商), replies."""
