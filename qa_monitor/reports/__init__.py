"""The weekly quality report: numbers computed in SQL, rendered to CSV/JSON/HTML/PDF, delivered by e-mail."""
