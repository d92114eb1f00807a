"""Run reply alone: `python -m services.reply`, configured by the environment."""

from services.reply.bootstrap import create
from services.reply.config import ReplySettings
from services.serve import run_one

if __name__ == "__main__":
    run_one(ReplySettings(), create)
