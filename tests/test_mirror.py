import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl import config
from newscrawl.mirror import MirrorDownloaderMiddleware


@pytest.fixture
def mirror(tmp_path):
    (tmp_path / "www.ofweek.com").mkdir()
    (tmp_path / "www.ofweek.com" / "CATList-8100-CHANGYIEXINWE.html").write_bytes(
        '<meta charset="gb2312"><a>维科网</a>'.encode("gbk")
    )
    (tmp_path / "www.ofweek.com" / "index.html").write_bytes(b"<html>home</html>")
    (tmp_path / "www.ofweek.com" / "search.asp?q=1").write_bytes(b"<html>query one</html>")
    (tmp_path / "www.ofweek.com" / "search.asp").write_bytes(b"<html>no query</html>")
    (tmp_path / "127.0.0.1:8080").mkdir()
    (tmp_path / "127.0.0.1:8080" / "a.html").write_bytes(b"<html>port</html>")
    crawler = get_crawler(settings_dict={"NEWSCRAWL_MIRROR": str(tmp_path)})
    return MirrorDownloaderMiddleware.from_crawler(crawler)


def test_serves_files_with_real_url_and_encoding(mirror):
    url = "https://www.ofweek.com/CATList-8100-CHANGYIEXINWE.html"
    response = mirror.process_request(Request(url))
    assert isinstance(response, HtmlResponse)
    assert response.url == url and response.status == 200
    assert "维科网" in response.text  # gb2312 declared, decoded as gb18030


def test_directory_query_port_and_missing(mirror):
    assert b"home" in mirror.process_request(Request("http://www.ofweek.com/")).body
    assert b"query one" in mirror.process_request(Request("http://www.ofweek.com/search.asp?q=1")).body
    assert b"no query" in mirror.process_request(Request("http://www.ofweek.com/search.asp?q=2")).body
    assert b"port" in mirror.process_request(Request("http://127.0.0.1:8080/a.html")).body
    assert mirror.process_request(Request("https://www.ofweek.com/nope.html")).status == 404
    assert mirror.process_request(Request("https://www.ofweek.com/../../etc/passwd")).status == 404


def test_off_without_setting_and_clear_error_on_bad_dir(tmp_path):
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        MirrorDownloaderMiddleware.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_MIRROR": ""}))
    with pytest.raises(config.StartError, match="no such directory"):
        MirrorDownloaderMiddleware.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_MIRROR": str(tmp_path / "x")}))


def test_form_post_is_looked_up_with_its_body_as_query(tmp_path):
    from scrapy import FormRequest

    api = tmp_path / "www.laoyaoba.com" / "api" / "news"
    api.mkdir(parents=True)
    (api / "feedstream?after_id=7&limit=10").write_bytes(b'{"data": [1]}')
    mirror = MirrorDownloaderMiddleware.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_MIRROR": str(tmp_path)}))
    url = "https://www.laoyaoba.com/api/news/feedstream"
    hit = mirror.process_request(FormRequest(url, formdata={"after_id": "7", "limit": "10"}))
    assert hit.status == 200 and hit.json() == {"data": [1]}
    assert mirror.process_request(FormRequest(url, formdata={"after_id": "8", "limit": "10"})).status == 404
