#!/usr/bin/env python
"""The reference shop's manage.py (run it with the shop's virtualenv)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "referenceshop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
