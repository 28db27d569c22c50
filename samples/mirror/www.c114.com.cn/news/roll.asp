<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>滚动资讯 - C114通信网</title>
<meta name="keywords" content="C114,滚动资讯,通信新闻" />
<meta name="description" content="C114通信网滚动资讯" />
<link href="/css/style2019.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/js/jquery-1.7.2.min.js"></script>
<script type="text/javascript">var _hmt = _hmt || [];(function(){var hm = document.createElement("script");hm.src = "https://hm.baidu.com/hm.js?c114";})();</script>
</head>
<body>
<div class="top1"><div class="top1-1"><p class="top1-1-1"><a href="https://www.c114.com.cn/">C114通信网</a> | <a href="https://m.c114.com.cn/">手机版</a></p>
<p class="top1-1-2"><a href="https://www.c114.com.cn/user/login.asp">登录</a> <a href="https://www.c114.com.cn/user/reg.asp">注册</a></p></div></div>
<div class="top2"><div class="top2-1"><a href="https://www.c114.com.cn/"><img src="https://www.c114.com.cn/images/logo2019.png" alt="C114通信网" /></a></div>
<ul class="nav"><li><a href="https://www.c114.com.cn/news/">新闻</a></li><li><a href="https://www.c114.com.cn/news/roll.asp">滚动</a></li>
<li><a href="https://www.c114.com.cn/news/16.html">运营商</a></li><li><a href="https://www.c114.com.cn/news/50.html">5G</a></li>
<li><a href="https://www.c114.com.cn/topic/">专题</a></li><li><a href="https://tv.c114.com.cn/">C114TV</a></li></ul></div>
<div class="ad_top"><a href="https://www.c114.com.cn/ad/click.asp?id=88" target="_blank"><img src="https://img1.c114.com.cn/ad/2025/banner_1200x90.jpg" /></a></div>
<div class="main"><div class="left"><div class="content_c">
<div class="content_c_t"><h3>滚动资讯</h3><a href="roll.asp">查看全部</a>
<form action="roll.asp" method="get"><input type="text" name="y" value="2025" size="4" />年<input type="text" name="m" value="10" size="2" />月<input type="text" name="d" value="21" size="2" />日 <input type="submit" value="查询" /></form></div>
<div class="content_c_list">
<div class="new_list_c"><h6><a href="/news/118/a1302468.html">中国电信：千兆光网用户突破 1.2 亿户</a></h6><div class="new_list_c_bot"><div class="new_list_author fl">C114通信网</div><div class="new_list_time fl">09:40</div></div></div>
<div class="new_list_c"><h6><a href="https://www.c114.com.cn/news/16/a1302455.html">华为发布新一代 OTN 平台</a></h6><div class="new_list_c_bot"><div class="new_list_author fl">通信世界网</div><div class="new_list_time fl">08:55</div></div></div>
<div class="new_list_c"><h6><a href="https://m.c114.com.cn/w52-1302401.html">卫星互联网终端标准立项</a></h6><div class="new_list_c_bot"><div class="new_list_author fl">人民邮电报</div><div class="new_list_time fl">08:10</div></div></div>
</div></div></div>
<div class="right"><div class="hot"><h3>热点排行</h3><ul>
<li><a href="https://www.c114.com.cn/news/16/a1300001.html">三大运营商半年报盘点</a></li><li><a href="https://www.c114.com.cn/news/52/a1299999.html">5G-A 商用进展一览</a></li></ul></div>
<div class="ad"><script type="text/javascript">document.write('<a href="https://www.c114.com.cn/ad/click.asp?id=91">广告</a>');</script></div></div>
</div>
<div class="footer"><p><a href="https://www.c114.com.cn/about/">关于我们</a> | <a href="https://www.c114.com.cn/about/contact.asp">联系方式</a> | <a href="https://www.c114.com.cn/about/ad.asp">广告服务</a></p>
<p>Copyright &copy;1999-2025 c114 All Rights Reserved 沪ICP备12002291号</p></div>
<script type="text/javascript" src="/js/stat.js"></script>
</body>
</html>
