"""Run feedback alone: `python -m services.feedback`, configured by the environment."""

from runtime.serve import run_one
from services.feedback.bootstrap import create
from services.feedback.config import FeedbackSettings

if __name__ == "__main__":
    run_one(FeedbackSettings(), create)
