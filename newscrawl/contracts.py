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


# One contract per kind of page; a portal spider gives the URLs (``contract_urls``), in samples/mirror.
ARTICLE_CONTRACT = """{name} article page -> one Article with every field a portal article has.

@url {url}
@returns items 1 1
@returns requests 0 0
@scrapes url portal site title published_at author source categories tags body_html body_text
"""
LIST_CONTRACT = """{name} list page -> article requests.

@url {url}
@returns items 0 0
@returns requests 3
"""
CONTRACTS = {"article": ("parse_article", ARTICLE_CONTRACT), "list": ("parse_list", LIST_CONTRACT)}


def install(spidercls) -> None:
    """Give a spider class the contracts its ``contract_urls`` ask for: `scrapy check` reads contracts from a
    callback's docstring, so the callback gets a thin copy on the class whose docstring is the contract."""
    for kind, url in getattr(spidercls, "contract_urls", {}).items():
        method_name, template = CONTRACTS[kind]
        inherited = getattr(spidercls, method_name)

        def callback(self, *args, __inherited=inherited, **kwargs):
            return __inherited(self, *args, **kwargs)

        callback.__name__ = callback.__qualname__ = method_name
        callback.__doc__ = template.format(name=spidercls.name, url=url)
        setattr(spidercls, method_name, callback)
