"""giaoban: briefing books for the meetings of Vietnam's provincial Departments of Science and Technology."""

__version__ = "0.1.0"
