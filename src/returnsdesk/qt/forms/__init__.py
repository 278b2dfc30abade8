"""Form classes generated from ui/*.ui; see scripts/build_forms.py."""
