"""Run intake alone: `python -m services.intake`, configured by the environment."""

from services.intake.bootstrap import create
from services.intake.config import IntakeSettings
from services.serve import run_one

if __name__ == "__main__":
    run_one(IntakeSettings(), create)
