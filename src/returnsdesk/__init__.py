"""returnsdesk: a returns inspection station for warehouses."""

__version__ = "0.1.0"
