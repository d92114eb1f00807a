"""Run allocation alone: `python -m services.allocation`, configured by the environment."""

from runtime.serve import run_one
from services.allocation.bootstrap import create
from services.allocation.config import AllocationSettings

if __name__ == "__main__":
    run_one(AllocationSettings(), create)
