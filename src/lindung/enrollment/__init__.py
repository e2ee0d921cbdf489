"""Enrollment with BPJS Ketenagakerjaan: the approved list's workers registered as participants.

The way in practice: the Dinas sends the branch office a registration file per wadah (the
sponsor's collective group), the branch answers with a KPJ or a reason per worker. Each worker's
`Participation` of a fiscal year follows one state machine (`states.py`); registration batches
(`batches.py`) make the files; the branch's answers (`answers/`) are checked, previewed and
committed; self-paying participants are recorded (`self_paying.py`).
"""
