"""External media URLs: the pure rules (`urls`) and the pinned, redirect-checking probe (`fetch`)."""
