"""Shared building blocks of the Fernway platform: settings, warehouse, HTTP, alerts."""
