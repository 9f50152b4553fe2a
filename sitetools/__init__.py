"""Commands around the Pelican build: atomic publishing, preview, checking one post."""
