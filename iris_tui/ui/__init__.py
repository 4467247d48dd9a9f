"""The Textual app: screens, tabs, modals, widgets and their .tcss styles."""
