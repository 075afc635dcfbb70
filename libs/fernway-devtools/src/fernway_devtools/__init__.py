"""Dev-only platform tooling: the demo, in-process materialization, fixtures. Not for production."""
