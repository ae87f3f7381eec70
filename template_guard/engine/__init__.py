"""The extraction engine: page bytes in, an Article out, driven by a layout."""
