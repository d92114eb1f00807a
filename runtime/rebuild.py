"""Drop the views' read models and rebuild them from the views' own record, with a progress bar.

`python -m runtime.rebuild [NAME ...]` (or `make rebuild PROJECTION=NAME`); every projection when
no name is given. The stores are the views service's, as its environment names them
(EVENTSTORE_URL, READSTORE_URL, READSTORE_PREFIX): the record of the public events it consumed, read
with the public contract, never another service's store.
"""

import argparse
import asyncio
import sys

from services.views.application.projections import all_projections, load_units
from services.views.application.stored import STORED
from services.views.config import ViewsSettings
from shared.adapters.infrastructure import open_event_store, open_read_store
from shared.kernel.projections import ProjectionRunner, rebuild


async def main(names: list[str]) -> int:
    settings = ViewsSettings()
    known = {p.name: p for p in all_projections(load_units(settings))}
    unknown = sorted(set(names) - set(known))
    if unknown:
        print(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return 2
    if settings.readstore_url.startswith("memory:"):
        print("READSTORE_URL is memory://: in-memory views are rebuilt by every start; nothing to do")
        return 0
    chosen = {name: p for name, p in known.items() if name in (names or known)}
    events = await open_event_store(settings.eventstore_url, settings.service_name, settings.store_name)
    views = open_read_store(settings.readstore_url, settings.readstore_prefix)
    try:
        for name, projection in chosen.items():
            runner = ProjectionRunner(projection, events, views, STORED)
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
