"""Commands that do their work and exit, without the station window: one module per command,
sharing ``support``'s settings and database set-up. Never Qt (the import contracts say so)."""
