"""Connected social accounts (test mode today; OAuth connections arrive with the real networks)."""
