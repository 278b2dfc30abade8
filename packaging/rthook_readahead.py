"""PyInstaller run-time hook: start reading the station window's files ahead at once.

Custom run-time hooks run before PyInstaller's own and before the application's first line.
Starting the read-ahead here instead of in ``main()`` gives its thread the time those take,
which on a cold start is when it matters most. See ``returnsdesk/readahead.py``.
"""

import sys

from returnsdesk.__main__ import opens_the_window

if opens_the_window(sys.argv[1:]):
    from returnsdesk import readahead

    readahead.start_reading_ahead(readahead.default_list_file())
