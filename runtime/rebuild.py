"""Drop read models and rebuild them from the event store, with a progress bar.

`python -m runtime.rebuild [NAME ...]` (or `make rebuild PROJECTION=NAME`); every projection when
no name is given. The stores are the ones the environment names (EVENTSTORE_URL, READSTORE_URL).
"""

import argparse
import asyncio
import sys

from runtime.registry import all_events
from services.views.application.projections import projections
from shared.adapters.infrastructure import open_event_store, open_read_store
from shared.kernel.projections import Projection, ProjectionRunner, rebuild
from shared.settings import ServiceSettings

PROJECTIONS: dict[str, Projection] = {p.name: p for p in projections()}


async def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(PROJECTIONS))
    if unknown:
        print(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(PROJECTIONS)}")
        return 2
    settings = ServiceSettings()
    if settings.readstore_url.startswith("memory:"):
        print("READSTORE_URL is memory://: in-memory views are rebuilt by every start; nothing to do")
        return 0
    events = await open_event_store(settings.eventstore_url)
    views = open_read_store(settings.readstore_url, settings.readstore_prefix)
    registry = all_events()
    try:
        for name in names or list(PROJECTIONS):
            runner = ProjectionRunner(PROJECTIONS[name], events, views, registry)
            report = await rebuild(runner)
            print(
                f"{name}: {report.events} events in {report.seconds:.2f}s "
                f"({report.events_per_second:,.0f} events/s)"
            )
    finally:
        await events.close()
        await views.close()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="projections to rebuild (default: all)")
    sys.exit(asyncio.run(main(parser.parse_args().names)))
