"""The embedded run: every service in this one process, each on its own store.

`python -m runtime` (what `make run` does) gives each service its own SQLite event store
(`var/<service>.sqlite3`) and in-memory read models, and passes the integration events between them
on one in-process bus, so nothing needs to be installed. The same environment variables as for a
single service choose other adapters (`{store}` in `EVENTSTORE_URL` stands for each one's store).
"""

import argparse
import asyncio

from runtime.catalog import CATALOG
from runtime.serve import Served, configure_logging, serve, traced
from shared.adapters.infrastructure import Infrastructure, open_bus, open_infrastructure
from shared.settings import ServiceSettings


def configure(port_base: int | None) -> dict[str, ServiceSettings]:
    settings = {name: entry.settings() for name, entry in CATALOG.items()}
    if port_base is not None:
        for offset, service_settings in enumerate(settings.values()):
            service_settings.service_port = port_base + offset
    addresses = {name: f"http://{s.service_host}:{s.service_port}" for name, s in settings.items()}
    for service_settings in settings.values():
        for name, address in addresses.items():
            if hasattr(service_settings, f"{name}_url"):
                setattr(service_settings, f"{name}_url", address)
    return settings


async def main(port_base: int | None) -> None:
    settings = configure(port_base)
    first = next(iter(settings.values()))
    configure_logging(first.log_level, json=first.log_json, process="runtime")
    bus = await open_bus(
        first.bus_url, first.bus_exchange, first.bus_retry_delay, first.declares_bus_topology
    )
    infras: dict[str, Infrastructure] = {}
    try:
        for name, service_settings in settings.items():
            infras[name] = await open_infrastructure(service_settings, bus=bus)
        served = [
            Served(name, CATALOG[name].create(s, infras[name]), s.service_host, s.service_port)
            for name, s in settings.items()
        ]
        print("The platform is running, each service on its own event store:", flush=True)
        for s in served:
            store = settings[s.name].eventstore_url
            print(f"  {s.name:<11} {s.url}   (health {s.url}/health, API {s.url}/docs; {store})", flush=True)
        await serve(served, first.log_level)
    finally:
        for infra in infras.values():
            await infra.close()
        await bus.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run every service in one process.")
    parser.add_argument("--port-base", type=int, help="first port (default: each service's own)")
    port_base = parser.parse_args().port_base
    with traced("runtime"):
        asyncio.run(main(port_base))
