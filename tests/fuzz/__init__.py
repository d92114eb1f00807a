"""Fuzzing: schemathesis against every service's OpenAPI, hypothesis state machines of the deciders.

Short in `make test`; `FUZZ_EXAMPLES=1000 make fuzz` for the long run.
"""
