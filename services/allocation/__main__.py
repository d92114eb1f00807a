"""Run allocation alone: `python -m services.allocation`, configured by the environment."""

from services.allocation.bootstrap import create
from services.allocation.config import AllocationSettings
from services.serve import run_one

if __name__ == "__main__":
    run_one(AllocationSettings(), create)
