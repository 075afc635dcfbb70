"""Fernway couriers code location: the freelancer data stack."""
