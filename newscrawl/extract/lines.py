"""Lines that are not the article: crumbs, bylines, dates, editor, share, login, related and ad lines, in Chinese
and in the languages of the open web."""

from __future__ import annotations

import re

from newscrawl.extract.authors import is_byline
from newscrawl.extract.byline import authors_in_text

_META_LINE = re.compile(
    r"^(?:(?:来源|來源|作者|文|记者|编辑|责编|责任编辑|阅读|浏览|点击|评论|摘要|导读|发布时间|发布于|时间|日期|字号|原创)"
    r"\s*[:：|｜].{0,150}|(?:(?:发布)?(?:时间|日期)\s*[:：]\s*)?[\d\s/.:年月日-]{8,25})$"
)
_DATE_IN_LINE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_CREDIT_LINE = re.compile(r"^感谢.{1,80}(?:投递|爆料|提供线索)[！!。]?$")
_CRUMB_LINE = re.compile(r"^(?:(?:您?(?:现在|当前)?的?(?:所在)?位置|当前位置|现在位置)\s*[:：]|首页\s*(?:>|＞|»|/|→))")
_TAIL_LINE = re.compile(
    r"^(?:[\[【（(]?\s*(?:责任编辑|责编|编辑|校对|审核|审校|编审|值班编辑|本文编辑|美编)\s*[:：|｜丨\s].{0,40}"
    r"|(?:本文|信息|文章)?来源(?:于)?\s*[:：|｜]?.{0,40}|(?:免责|版权|特别|广告)?声明\s*[:：].*|.{0,20}扫码.{0,20}|.{0,20}扫描.{0,10}二维码.*"
    r"|.{0,10}关注.{0,20}公众号.{0,30}|.{0,20}二维码.{0,20}|原文链接\s*[:：].*|点击进入专题\s*[:：]?.{0,30}"
    r"|【?打印本页】?.{0,20}|分享到\s*[:：]?.{0,30}|更多\s*[>》]|举报|我要跟帖|评论\s*[（(]\d+[)）]|返回顶部"
    r"|看都看完了.{0,30}|.{0,20}在看.{0,6}|发布日期\s*[:：]?.{0,30}|经.{0,12}(?:重新)?编排|(?:图片|图文|视频)?来源于?网络"
    r"|(?:本文)?(?:作者|记者|采写|撰文|摄影|图片|通讯员)\s*[:：|｜/]\s*.{1,30})$"
)
# A line that opens the list of other articles under the text: it and everything after it go.
_RELATED_HEAD = re.compile(
    r"^(?:相关(?:阅读|新闻|文章|推荐|链接|报道)|推荐阅读|延伸阅读|猜你喜欢|热门(?:推荐|文章|新闻)|更多(?:精彩|阅读|新闻)"
    r"|往期(?:回顾|精选|推荐)|精彩推荐|热点推荐|大家都在看|为您推荐|小编最近文章|最新文章)\s*[:：>》]?$"
)
# Under the text: from a QR-code, follow-the-account or statement line on, nothing is the article any more.
_CUT_AFTER = re.compile(r"^.{0,12}(?:扫描|扫码|长按).{0,12}二维码.*|^.{0,6}(?:特别|免责|版权)声明\s*[:：]?$|^点击进入专题\s*[:：]?$"
                        r"|^[\[【（(]?\s*责任编辑\s*[:：].{0,20}$")  # the editor's credit closes a Chinese portal's text

# Open web: the head of a list of other articles under the text, in many languages ("Related", "Lesen Sie
# auch", "À lire aussi", "Läs också", "関連記事", "이 기사와 관련된 기사", "Baca juga", "Xem thêm" ...).
_RELATED_HEAD_WEB = re.compile(
    r"^[\[【(（]?\s*(?:related(?:\s+(?:articles?|stories|news|content|coverage|topics))?|read\s+(?:more|also|next)"
    r"|more\s+(?:on|from|about|stories|news)(?:\s+this\s+(?:topic|story))?|you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?"
    r"|most\s+(?:read|popular|viewed)|top\s+stories|latest\s+news|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|das\s+könnte\s+sie"
    r"(?:\s+auch)?\s+interessieren|weitere\s+artikel|à\s+lire\s+aussi|lire\s+aussi|sur\s+le\s+même\s+sujet|leer\s+más|lea\s+también"
    r"|te\s+puede\s+interesar|leia\s+também|leggi\s+anche|lees\s+ook|les\s+også|läs\s+också|læs\s+også|lue\s+myös|czytaj\s+(?:też|także)"
    r"|читайте\s+также|по\s+теме|baca\s+juga|xem\s+thêm|ilgili\s+haberler|関連記事|関連ニュース|おすすめ(?:記事|情報)?"
    r"|(?:이\s+기사와\s+)?관련(?:된)?\s*기사|당신이\s+관심\s+있을\s+만한\s+이슈|추천\s*기사|多く読まれている記事)\s*[\]】)）]?\s*[:：>》]?$",
    re.I,
)
# A line that is a label, a button or a counter, wherever it stands: ad labels, share and login buttons,
# gallery counters ("1 of 12", "1/3"), photo credits.
_CHROME_LINE = re.compile(
    r"^(?:[\[【(（]?\s*(?:pr|ad|ads|advertisement|advertising|sponsored(?:\s+content)?|anzeige|werbung|publicité|publicidad"
    r"|pubblicità|reklame|reklama|annons|annonse|annonsørinnhold|mainos|реклама|광고|広告|广告|story\s+continues\s+below"
    r"(?:\s+advertisement)?|article\s+continues\s+below(?:\s+advertisement)?)\s*[\]】)）]?"
    r"|x|twitter|facebook|line|whatsapp|telegram|linkedin|pinterest|reddit|e-?mail|flipboard|copy\s+link|share(?:\s+this)?"
    r"|teilen|partager|compartir|condividi|delen|del|dela|jaa|udostępnij|поделиться|공유(?:하기)?|シェア|メールで送る|はてなブックマーク"
    r"|log\s*in|sign\s*(?:in|up)|register|subscribe|anmelden|registrieren|se\s+connecter|s'abonner|iniciar\s+sesión|ログイン(?:する)?"
    r"|新規登録|会員登録|로그인|회원가입|구독신청"
    r"|\d{1,3}\s*(?:of|/|von|de|sur|di|av|af|из)\s*\d{1,3}\s*\|?"
    r"|(?:foto|photo|photos|bild|image|kuva|фото|사진|写真|撮影|credit|crédit|crédito)\s*[:：=/].{0,80}"
    r"|.{0,60}(?:copyright|©|ⓒ|all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|tous\s+droits\s+réservés|無断転載).{0,120})$",
    re.I,
)
_EMAIL_CREDIT = re.compile(r"^.{0,40}[\w.+-]+@[\w-]+\.[\w.]+\s*$")  # "순천 구현모 기자 ninek@hankookilbo.com"


def is_lead_line(text: str) -> bool:
    """A line above the article's text that is not the text: crumbs, byline, date, 来源.

    >>> [is_lead_line(t) for t in ("当前位置：首页 > 新闻", "2019-09-07 09:59 来源: 新京报", "来源：人民网", "中国男篮以77比73战胜韩国队。")]
    [True, True, True, False]
    """
    if _META_LINE.match(text) or _CRUMB_LINE.match(text) or _CREDIT_LINE.match(text) or is_chrome_line(text):
        return True
    if len(text) <= 120 and is_byline(text):
        return True  # "By Jane Doe and John Roe", "Von Anna Fink", "By" alone
    if len(text) <= 40 and authors_in_text(text) and not re.search(r"[。！？]", text):
        return True
    return len(text) <= 60 and bool(_DATE_IN_LINE.search(text)) and bool(
        re.search(r"来源|作者|编辑|记者|阅读|浏览|评论|发布|字号|分享|举报", text) or len(text) <= 25
    )


def is_tail_line(text: str) -> bool:
    """A line under the article's text that is not the text: editor, source, share, print, QR-code lines.

    >>> [is_tail_line(t) for t in ("责任编辑：杜硕_NB12556", "[责任编辑：刘斌]", "【编辑：姚昊】", "本文来源：新京报", "他说。")]
    [True, True, True, True, False]
    """
    if len(text) <= 40 and authors_in_text(text) and not re.search(r"[。！？]", text):
        return True  # "新京报记者 陆一夫", "采写：南都见习记者 林子沛"
    if is_chrome_line(text) or (len(text) <= 80 and _EMAIL_CREDIT.match(text)):
        return True
    return bool(_TAIL_LINE.match(text)) or bool(re.match(r"^[\[【（(]\s*(?:责任编辑|责编|编辑)\s*[:：].{1,30}[\]】）)]$", text))




def is_related_head(text: str) -> bool:
    """A line that opens the list of other articles under the text.

    >>> [is_related_head(t) for t in ("相关阅读", "Related articles", "Lesen Sie auch:", "【関連記事】", "Read more about it here.")]
    [True, True, True, True, False]
    """
    return bool(_RELATED_HEAD.match(text) or _RELATED_HEAD_WEB.match(text))


def is_chrome_line(text: str) -> bool:
    """A label, a button, a counter or a credit line, wherever it stands in the text.

    >>> [is_chrome_line(t) for t in ("[PR]", "Advertisement", "1 of 12 |", "Foto: Efrem Lukatsky/AP", "X", "He said.")]
    [True, True, True, True, True, False]
    """
    return len(text) <= 200 and bool(_CHROME_LINE.match(text))
