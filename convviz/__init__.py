"""convviz: cross-correlation with multiple input and output channels, computed and shown step by step."""

import os

# TensorFlow reads this once, at import: keep its start-up chatter out of the students' terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from convviz.core.correlation import corr2d, corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from convviz.core.geometry import Geometry, conv_geometry
from convviz.model.steps import StepTable, step_table

__all__ = [
    "Geometry",
    "StepTable",
    "conv_geometry",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "step_table",
]
