"""The national job on Spark (`lrc spark score`): the pandas engine run on every partition through
``mapInPandas``. Importing this package does not import pyspark; ``lrc.spark.job`` does, when the job runs."""

from lrc.spark.frames import PASSTHROUGH, results_frame

__all__ = ["PASSTHROUGH", "results_frame"]
