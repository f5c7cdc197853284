"""`lrc spark score` (the nation's job on Spark), `lrc export --format parquet` (a province's facts for it) and
`lrc import-results` (its results back into a province's store). pyspark is imported only by `lrc spark`."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from lrc.cli_common import (
    ActAs,
    DbUrl,
    Edition,
    ErrorsFile,
    JsonOrText,
    Period,
    TextOrJson,
    check_output,
    check_report_path,
    out,
    refuse_with_report,
    store_and_principal,
    text_or_json,
)
from lrc.errors import InputValidationError, LrcError, UsageError

spark_app = typer.Typer(help="在 Spark 上为全国数据评分 (score the nation on Spark)", no_args_is_help=True)

EXPORT_FORMATS = ("parquet",)


@spark_app.command("score")
def spark_score(
    input_: Annotated[str, typer.Option("--input", "-i", help="事实数据 parquet 文件或目录 (facts; local, hdfs://, s3a://)")],
    output: Annotated[str, typer.Option("--output", "-o", help="结果 parquet 目录,已存在则覆盖 (results folder)")],
    master: Annotated[str, typer.Option("--master", help="Spark master:local[*]、yarn、k8s://…")] = "local[*]",
    partitions: Annotated[
        int, typer.Option("--partitions", min=0, help="按地区代码范围(同省相邻)重新分区的分区数,0 为不分区")
    ] = 0,
    by_province: Annotated[
        bool, typer.Option("--by-province", help="每省一个结果目录 province=21/…,各省导入自己的目录")
    ] = False,
    conf: Annotated[
        list[str] | None, typer.Option("--conf", help="Spark 设置 KEY=VALUE,可多次 (e.g. spark.executor.memory=4g)")
    ] = None,
    edition: Edition = None,
    fmt: JsonOrText = TextOrJson.text,
) -> None:
    """用与本省相同的评分引擎(mapInPandas)为 parquet 事实数据评分,写出结果 parquet (score facts on Spark).

    输入每行一家企业:uscc、指标字段、record:类型:级别 计数列(lrc export --format parquet 的输出);
    结果列:uscc、total(分)、grade、red_line、completeness、gaps、每个指标一列得分。最后一行是结果路径.
    不给 --catalogue 时用导出文件记下的指标体系版本,没有则用最新版本."""
    from indicators import load_catalogue

    catalogue = load_catalogue(edition or _edition_of(input_))
    settings = _settings(conf or [])
    started = time.perf_counter()
    rows = _run_spark(catalogue, input_, output, master, settings, partitions=partitions, by_province=by_province)
    seconds = time.perf_counter() - started
    about = {"rows": rows, "output": output, "catalogue_version": catalogue.version, "master": master,
             "seconds": round(seconds, 3)}  # fmt: skip
    text_or_json(fmt, lambda: about, lambda: _scored(about))


def _edition_of(source: str) -> str | None:
    """The catalogue edition `lrc export` wrote into a local facts file's metadata (None: not said, or not local)."""
    import pyarrow.parquet as pq

    path = Path(source)
    if path.is_dir():
        path = next(iter(sorted(path.glob("*.parquet"))), path)
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, ValueError):
        return None
    edition = metadata.get(b"lrc.catalogue")
    return edition.decode() if edition else None


def _settings(pairs: list[str]) -> dict[str, str]:
    """``--conf KEY=VALUE`` options as a dict; a pair without ``=`` or a key not under ``spark.`` is refused."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise UsageError(f"--conf {pair!r} 应为 spark.KEY=VALUE (a Spark setting)")
        settings[key.strip()] = value.strip()
    return settings


def _run_spark(
    catalogue: Any, source: str, output: str, master: str, conf: dict[str, str], *, partitions: int, by_province: bool
) -> int:
    """The job, with Spark's and Java's failures as one line each."""
    from lrc.spark.job import check_master, first_line, run_job, session

    check_master(master)
    try:
        from py4j.protocol import Py4JError
    except ImportError:
        raise LrcError("未安装 pyspark:pip install 'lrc[spark]',并安装 Java 17 (pyspark is not installed)") from None
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()  # a caller's own session (a notebook, a test) is used, not stopped
    try:
        spark = running or session(master, conf=conf)
    except (PySparkException, Py4JError, RuntimeError, OSError) as exc:
        reason = first_line(exc)
        raise LrcError(f"无法启动 Spark(master {master}),需要 Java 17:{reason} (cannot start Spark)") from None
    try:
        return run_job(spark, catalogue, source, output, partitions=partitions, by_province=by_province)
    except (PySparkException, Py4JError) as exc:
        raise LrcError(f"Spark 作业失败:{first_line(exc)} (the Spark job failed)") from None
    finally:
        if running is None:
            spark.stop()


def _scored(about: dict[str, Any]) -> None:
    rate = about["rows"] / about["seconds"] if about["seconds"] else 0
    out.print(
        f"已评分 {about['rows']} 家企业(指标体系 {about['catalogue_version']},{about['master']},"
        f"{about['seconds']:.1f} 秒,{rate:,.0f} 行/秒)"
    )
    out.print(about["output"])


def export(
    period: Period,
    output: Annotated[Path, typer.Option("--output", "-o", help="写入文件 F.parquet (write to FILE)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="导出格式:parquet (export format)")] = "parquet",
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """导出一个期间的事实数据,每家企业一行:当前结果所评的报送、身份列、计分记录的计数列 (facts for the national job).

    只含你权限范围内的企业;供 lrc spark score 使用,结果用 lrc import-results 导回."""
    from lrc.service.national_export import export_facts
    from lrc.service.run_info import runs_zh

    if fmt.lower() not in EXPORT_FORMATS:
        raise UsageError(f"不支持的导出格式 {fmt!r},可选 {', '.join(EXPORT_FORMATS)} (unknown format)")
    if output.suffix.lower() != ".parquet":
        raise UsageError(f"格式 parquet 与输出文件 {output.name} 不符,请用 .parquet 文件名 (suffix)")
    check_output(output)
    engine, who = store_and_principal(db, as_)
    done = export_facts(engine, who, period, output)
    out.print(
        f"已导出期间 {done.period} 的 {done.enterprises} 家企业事实数据 → {done.output}"
        f"({runs_zh(done.run_id, done.through_run_id)},指标体系 {done.catalogue_version},{done.columns} 列)"
    )


def import_results(
    file: Annotated[Path, typer.Argument(help="结果 parquet 文件或 Spark 写出的目录 (results)")],
    period: Annotated[str | None, typer.Option("--period", "-p", help="期间;文件有 period 列时可省略")] = None,
    edition: Edition = None,
    errors: ErrorsFile = None,
    fmt: JsonOrText = TextOrJson.text,
    db: DbUrl = None,
    as_: ActAs = None,
) -> None:
    """把全国作业的评分结果存为本期间的一个评分批次(类型 import,`lrc runs` 列出);任何一行有错则整个文件不写入
    (all or nothing).

    需要列 uscc、total(分)、grade、red_line 和每个指标的得分列;每家企业须有本期间的当前结果.
    已导入且仍是当前结果的同样结果再次导入时拒绝,并指明那个评分批次 (the same results twice: refused).
    最后一行是评分批次号;--format json 输出含 id 的对象 (last line: the run id)."""
    from indicators import load_catalogue
    from lrc.service.national_import import import_results as import_service

    catalogue = load_catalogue(edition)
    check_report_path(errors, file)
    engine, who = store_and_principal(db, as_)
    try:
        summary = import_service(engine, who, file, catalogue=catalogue, period=period)
    except InputValidationError as exc:
        refuse_with_report(exc, errors)
    text_or_json(fmt, lambda: {"id": summary.run_id, **asdict(summary)}, lambda: _imported(summary))


def _imported(summary: Any) -> None:
    """A score run of kind import (`lrc runs`, `lrc verify`), not an ingest batch (`lrc batches`)."""
    grades = ",".join(f"{g} {n}" for g, n in summary.grades.items())
    out.print(
        f"评分批次 {summary.run_id}(导入的全国结果 import,`lrc verify {summary.run_id}` 可复算):"
        f"期间 {summary.period},{summary.enterprises} 家企业,"
        f"指标体系 {summary.catalogue_version};等级 {grades};触及红线 {summary.red_lines} 家"
    )
    out.print(str(summary.run_id))
