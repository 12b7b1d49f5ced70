"""Experiments by concept group; each module registers its IDs when imported."""
