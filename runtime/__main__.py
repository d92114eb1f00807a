"""The embedded run: every service in this one process, on the embedded adapters by default.

`python -m runtime` (what `make run` does) shares one event store, one in-process bus and one
read store between the services, so nothing needs to be installed. The same environment variables
as for a single service choose other adapters.
"""

import argparse
import asyncio

from runtime.catalog import CATALOG
from runtime.serve import Served, configure_logging, serve
from shared.adapters.infrastructure import open_infrastructure


async def main(port_base: int | None) -> None:
    settings = {name: entry.settings() for name, entry in CATALOG.items()}
    if port_base is not None:
        for offset, service_settings in enumerate(settings.values()):
            service_settings.service_port = port_base + offset
    first = settings["intake"]
    configure_logging(first.log_level)
    infra = await open_infrastructure(first)
    served = [
        Served(name, CATALOG[name].create(s, infra), s.service_host, s.service_port)
        for name, s in settings.items()
    ]
    print(f"The platform is running on the event store {first.eventstore_url}:", flush=True)
    for s in served:
        print(f"  {s.name:<11} {s.url}   (health {s.url}/health, API {s.url}/docs)", flush=True)
    try:
        await serve(served, first.log_level)
    finally:
        await infra.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run every service in one process.")
    parser.add_argument("--port-base", type=int, help="first port (default: each service's own)")
    asyncio.run(main(parser.parse_args().port_base))
