"""The sandbox: local stand-ins for everything onboard acts on, for tests and `make demo`."""
