"""The one error of `lindung synth`."""


class SynthError(ValueError):
    """The arguments cannot give a file (unknown kabupaten, too many rows for XLSX…)."""
