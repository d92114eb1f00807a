"""Run intake alone: `python -m services.intake`, configured by the environment."""

from runtime.serve import run_one
from services.intake.bootstrap import create
from services.intake.config import IntakeSettings

if __name__ == "__main__":
    run_one(IntakeSettings(), create)
