"""Dashboard speed with a large store: every page's first visit in a newly started dashboard (the caches
empty, as after a new run), its render after that, and the time to filter the ranking, in a real browser.

    python bench/dashboard.py                 # 100,000 enterprises, two periods
    python bench/dashboard.py --n 20000 --keep /tmp/lrc-bench   # reuse the store next time

Builds the store with ``lrc.samples.generate`` and the service layer (SQLite in a
temporary directory), starts `lrc dashboard` on a free port, and drives Debian's
Chromium through Playwright. Targets: 5 s per page on the first visit, 2 s after it, 1 s for a ranking
filter.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_support import PAGES, RUNNING, dashboard, launch, visit  # noqa: E402

from lrc.samples import DEMO_PERIODS, generate, write_sample  # noqa: E402
from lrc.service import ingest_file, score_period  # noqa: E402
from lrc.service.access import single_user
from lrc.store import make_engine, upgrade  # noqa: E402

ADMIN = single_user()  # benchmarks act in single-user mode, as the README's commands do

PAGE_TARGET = 2.0
FIRST_TARGET = 5.0
FILTER_TARGET = 1.0
SEED = 2014


def build_store(directory: Path, n: int) -> str:
    """A store of ``n`` enterprises scored for the two demo periods (reused if present)."""
    db = directory / "lrc.db"
    url = f"sqlite:///{db}"
    if db.exists():
        print(f"复用已有数据库 (reusing) {db}", flush=True)
        return url
    engine = make_engine(url)
    upgrade(engine)
    for period in DEMO_PERIODS:
        started = time.perf_counter()
        path = directory / f"sample-{period}.csv"
        write_sample(generate(n, seed=SEED, period=period), path)
        ingest_file(engine, ADMIN, path, period)
        score_period(engine, ADMIN, period)
        print(f"{period}: {n:,} 家企业已导入并评分 ({time.perf_counter() - started:.1f} s)", flush=True)
    engine.dispose()
    return url


def wait_for_rerun(page: Any, caption_before: str, timeout: float = 30_000) -> None:
    """Wait until the ranking shows a new count and the run has ended."""
    page.wait_for_function(
        """([before, running]) => {
            const caption = Array.from(document.querySelectorAll('[data-testid="stCaptionContainer"]'))
                .map(el => el.innerText).find(t => t.includes('家企业 · 第')) || '';
            return caption && caption !== before && !document.querySelector(running);
        }""",
        arg=[caption_before, RUNNING],
        timeout=timeout,
        polling=20,
    )


def ranking_caption(page: Any) -> str:
    return page.locator('[data-testid="stCaptionContainer"]', has_text="家企业 · 第").first.inner_text()


def choose(page: Any, label: str, option: str) -> float:
    """Pick ``option`` in the select box labelled ``label``; seconds until the table is redrawn."""
    before = ranking_caption(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    started = time.perf_counter()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_rerun(page, before)
    return time.perf_counter() - started


def search(page: Any, text: str) -> float:
    before = ranking_caption(page)
    box = page.get_by_placeholder("输入名称关键字或信用代码开头")
    box.fill(text)
    started = time.perf_counter()
    box.press("Enter")
    wait_for_rerun(page, before)
    return time.perf_counter() - started


def measure(base: str) -> list[tuple[str, float, float]]:
    rows: list[tuple[str, float, float]] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        for path, title in PAGES.items():
            first = visit(page, base, path)
            print(f"  首次访问 (first visit) {path}: {first:.2f} s", flush=True)
            rows.append((f"{title} {path} 首次访问", first, FIRST_TARGET))
        for path, title in PAGES.items():
            rows.append((f"{title} {path} 再次渲染", visit(page, base, path), PAGE_TARGET))
        visit(page, base, "rankings")
        rows.append(("排名 按城市筛选 (沈阳市)", choose(page, "城市", "210100 沈阳市"), FILTER_TARGET))
        rows.append(("排名 再按等级筛选 (A)", choose(page, "等级", "A"), FILTER_TARGET))
        rows.append(("排名 搜索名称 (机械)", search(page, "机械"), FILTER_TARGET))
        browser.close()
    return rows


def report(rows: list[tuple[str, float, float]], n: int) -> bool:
    print(f"\n看板性能 (dashboard speed), {n:,} 家企业 × {len(DEMO_PERIODS)} 个期间")
    print(f"{'项目 (measure)':<34}{'用时 s':>9}{'目标 s':>9}  结果")
    ok = True
    for name, seconds, target in rows:
        passed = seconds <= target
        ok &= passed
        print(f"{name:<34}{seconds:>9.2f}{target:>9.1f}  {'通过 pass' if passed else '未通过 FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="enterprises per period")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the store in this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lrc-bench-") as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        url = build_store(directory, args.n)
        with dashboard(url, log=directory / "dashboard.log") as base:
            ok = report(measure(base), args.n)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
