"""Routing labels: rendering (PDF, ZPL), printers, and the print queue with its worker."""
