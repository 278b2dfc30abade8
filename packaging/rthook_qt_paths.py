"""PyInstaller run-time hook: where the bundled Qt finds its plugins, without importing Qt.

It replaces PyInstaller's own ``pyi_rth_pyside6``, which imports ``PySide6.QtCore`` before the
application's first line to check for an embedded ``qt.conf`` (PySide6's PyPI wheels register
one themselves when QtCore loads). That import made every command pay for Qt, ``--version``
and the headless ones included, and put PySide6's import hook in front of every later import.
"""

import os
import sys


def _qt_paths() -> None:
    bundle = sys._MEIPASS  # set by the PyInstaller bootloader
    qt_root = (
        os.path.join(bundle, "PySide6")
        if sys.platform == "win32"
        else os.path.join(bundle, "PySide6", "Qt")
    )
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_root, "plugins")
    if sys.platform == "win32":
        # QtNetwork (linked by QtPdf) looks for the OpenSSL DLLs on PATH.
        os.environ["PATH"] = bundle + os.pathsep + os.environ.get("PATH", "")


_qt_paths()
