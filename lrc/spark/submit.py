"""The national job as a spark-submit application (YARN or Kubernetes cluster mode), where spark-submit
gives the master and the cluster settings (see docs/scale.md):

    spark-submit --master yarn --deploy-mode cluster --archives lrc-env.tar.gz#environment \\
        --conf spark.pyspark.python=./environment/bin/python \\
        "$(python -c 'import lrc.spark.submit as m; print(m.__file__)')" \\
        --input hdfs:///lrc/facts/2026Q3 --output hdfs:///lrc/results/2026Q3 --by-province
"""

from __future__ import annotations

import argparse
import sys

from indicators import load_catalogue
from lrc.errors import LrcError
from lrc.spark.job import first_line, run_job, session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lrc-national", description="全国评分作业 (the national scoring job)")
    parser.add_argument("--input", required=True, help="facts parquet (file or folder; hdfs://, s3a://, …)")
    parser.add_argument("--output", required=True, help="results parquet folder (overwritten)")
    parser.add_argument("--catalogue", default=None, help="catalogue edition (default: newest)")
    parser.add_argument("--partitions", type=int, default=0, help="repartition by region ranges (0: as read)")
    parser.add_argument("--by-province", action="store_true", help="one results folder per province")
    args = parser.parse_args(argv)
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        catalogue = load_catalogue(args.catalogue)
        spark = session(None)
        rows = run_job(spark, catalogue, args.input, args.output, partitions=args.partitions,
                       by_province=args.by_province)  # fmt: skip
    except LrcError as exc:
        print(f"错误 (error): {exc}", file=sys.stderr)
        return 1
    except (PySparkException, Py4JError) as exc:
        print(f"错误 (error): Spark 作业失败:{first_line(exc)} (the Spark job failed)", file=sys.stderr)
        return 1
    print(f"scored {rows} enterprises -> {args.output} (catalogue {catalogue.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
