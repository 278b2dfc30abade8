import logging

# Refusals (4xx) are the point of many tests; Django logs each one as a warning.
logging.getLogger("django.request").setLevel(logging.ERROR)
