"""Run reply alone: `python -m services.reply`, configured by the environment."""

from runtime.serve import run_one
from services.reply.bootstrap import create
from services.reply.config import ReplySettings

if __name__ == "__main__":
    run_one(ReplySettings(), create)
