"""Background jobs with progress: a `Job` row the page polls, started once however often the
button is pressed. See `services.py` and `docs/conventions.md` ("Long work")."""
