"""Fernway ml code location."""
