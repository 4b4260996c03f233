"""Statistics for small cohorts and dyadic data, each checked against published reference output.

Inputs are validated first (a clear ``ValueError`` for bad input); every result is a tidy pandas object
whose fields are documented in the function's docstring.
"""

from evaluation.stats.cfa import CFAResult, cfa, measurement_invariance
from evaluation.stats.change import paired_change, reliable_change
from evaluation.stats.models import ModelResult, apim, dyadic_model, mixed_model
from evaluation.stats.multiplicity import adjust_pvalues
from evaluation.stats.power import detectable_change, paired_power, pairs_needed
from evaluation.stats.reliability import cronbach_alpha, icc, item_analysis

__all__ = [
    "CFAResult",
    "ModelResult",
    "adjust_pvalues",
    "apim",
    "cfa",
    "cronbach_alpha",
    "detectable_change",
    "dyadic_model",
    "icc",
    "item_analysis",
    "measurement_invariance",
    "mixed_model",
    "paired_change",
    "paired_power",
    "pairs_needed",
    "reliable_change",
]
