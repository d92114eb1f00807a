"""Allocation: 交办 to lead and co-units, internal allocation, deadlines."""
