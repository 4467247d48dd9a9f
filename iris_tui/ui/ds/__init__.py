"""The datastore tab's transfers and changes: upload and download screens with progress, the
folder and file dialogs, local path completion, and the tab's write keys (`DatastoreWrites`)."""
