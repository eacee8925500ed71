"""Appointments, working hours, reminders, calendar feeds, video rooms and consent records."""
