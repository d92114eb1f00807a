"""Run feedback alone: `python -m services.feedback`, configured by the environment."""

from services.feedback.bootstrap import create
from services.feedback.config import FeedbackSettings
from services.serve import run_one

if __name__ == "__main__":
    run_one(FeedbackSettings(), create)
