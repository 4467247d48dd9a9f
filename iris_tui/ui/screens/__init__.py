"""Full screens of the app (case list, case workspace, connect)."""
