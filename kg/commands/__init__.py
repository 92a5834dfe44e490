"""Subcommands of ``kg``, one module per area, registered in :mod:`kg.cli`."""
