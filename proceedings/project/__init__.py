"""The project: its typed model, how it is loaded, and how a new one is started."""
