"""The forms service: consultations, applications, ratings and the staff console."""
