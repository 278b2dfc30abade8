"""PyInstaller entry point: the installed ``returnsdesk`` command, frozen.

PyInstaller runs its entry script as ``__main__``; pointing it at ``returnsdesk/__main__.py``
itself would make that module run twice under two names. This launcher imports the package
and calls the same ``main()`` the console script does.
"""

from returnsdesk.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
