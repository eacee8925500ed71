"""FHIR R4: pure mapping from the clinic's records (codes.py, questionnaire.py, resources.py,
incoming.py), the reads and searches a caller may make (read.py), and the bulk export job
(export.py). The HTTP layer lives in rapport.api.fhir."""
