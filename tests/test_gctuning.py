"""newscrawl/gctuning.py: a crawl's process and its workers leave their start-up objects to reference counting
(gc.freeze) and collect the young generation every GEN0 allocations; an in-process crawl gets the collector back."""

from __future__ import annotations

import gc
import storecrawl as sc

from newscrawl import gctuning
from newscrawl.workerpool import WorkerPool


def test_settle_freezes_and_raises_the_young_threshold_and_restore_undoes_both():
    before = gc.get_threshold()
    try:
        gctuning.settle()
        assert gc.get_freeze_count() > 1000 and gc.get_threshold() == (gctuning.GEN0, *before[1:])
        frozen = gc.get_freeze_count()
        gctuning.settle()  # once until restored
        assert gc.get_freeze_count() == frozen
    finally:
        gctuning.restore()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    cycle = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # the collector still reclaims cycles


def _collector_state():
    return gc.get_threshold()[0], gc.get_freeze_count()


def test_a_worker_process_is_settled():
    pool = WorkerPool("gc worker", 1)
    try:
        threshold, frozen = pool.submit(_collector_state).result(timeout=120)
    finally:
        pool.close()
    assert threshold == gctuning.GEN0 and frozen > 1000


def test_a_real_crawl_settles_its_collector_once_started(tmp_path):
    mirror = tmp_path / "mirror"
    sc.write_mirror(mirror, 3)
    run = sc.crawl_with_prelude(tmp_path, mirror, f"sqlite:///{tmp_path / 'news.db'}", (
        "import gc\nfrom newscrawl import gctuning\nsettle = gctuning.settle\n"
        "gctuning.settle = lambda: (settle(), print('SETTLED', gc.get_threshold()[0], gc.get_freeze_count() > 1000, file=sys.stderr))"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"SETTLED {gctuning.GEN0} True" in run.stderr and "Spider closed" in run.stderr
