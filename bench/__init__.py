"""The benchmark: a simulated session on the real stack, with the raw limits of its parts beside it."""
