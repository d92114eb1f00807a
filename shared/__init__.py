"""The kernel the services share: events, ports and adapters, gateway, projections, settings."""
