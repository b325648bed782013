"""The job runner: the only code that moves a variation between states."""
