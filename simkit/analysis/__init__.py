"""Questions asked of many runs: sensitivity, break-evens, previews, screening and exit drills."""
