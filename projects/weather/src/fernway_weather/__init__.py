"""Fernway weather code location."""
