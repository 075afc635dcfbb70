"""Fernway growth code location."""
