"""Run the views service alone: `python -m services.views`, configured by the environment."""

from runtime.serve import run_one
from services.views.bootstrap import create
from services.views.config import ViewsSettings

if __name__ == "__main__":
    run_one(ViewsSettings(), create)
