"""`@scrapes` for dataclass items: a field counts only when it holds a value (Scrapy's checks the name only)."""

from __future__ import annotations

from itemadapter import ItemAdapter, is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class ScrapesContract(Contract):
    """``@scrapes field_1 field_2 ...``: every item has each field, not None and not empty."""

    name = "scrapes"

    def post_process(self, output):
        for item in output:
            if is_item(item):
                adapter = ItemAdapter(item)
                empty = [name for name in self.args if adapter.get(name) in (None, "", [], {})]
                if empty:
                    raise ContractFail(f"Missing fields: {', '.join(empty)}")
