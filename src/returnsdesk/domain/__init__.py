"""The domain core: pure Python rules of returns inspection. Imports only the standard library."""
