"""Platform tooling: load a location, materialize it in process, drive the demo."""
