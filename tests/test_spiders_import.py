"""Every spider module imports and is listed, so a broken spider fails CI, not a 3 a.m. cron run."""

import importlib
import pkgutil

import newscrawl.spiders
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings


def test_every_spider_module_imports_and_is_named_after_its_file():
    loader = SpiderLoader.from_settings(get_project_settings())
    names = set(loader.list())
    assert "ofweek" in names
    for module in pkgutil.iter_modules(newscrawl.spiders.__path__):
        mod = importlib.import_module(f"newscrawl.spiders.{module.name}")
        if module.name in ("base", "generic"):  # the spiders' base classes
            continue
        spiders = [
            obj for obj in vars(mod).values()
            if isinstance(obj, type) and getattr(obj, "name", None) and obj.__module__ == mod.__name__
        ]
        assert spiders, f"newscrawl/spiders/{module.name}.py defines no spider"
        assert {s.name for s in spiders} == {module.name}, f"spider name must equal its file name: {module.name}"
        assert module.name in names
