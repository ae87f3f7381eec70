"""What lives on disk in a project: captured pages and their sidecars."""
