"""Reports are computed on read (from the replica when configured); no background work."""
