"""The app layer (no Qt): the session, the job runner and the workflows the window and the command line share."""
