"""Error pages in Chinese; never a stack trace."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
LAST_RESORT = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>服务暂时出错 · 金选</title>"
               "<h1>服务暂时出错</h1><p>系统遇到了问题，已记录。请稍后重试；您已填写的内容不会丢失。</p></html>")


def forbidden(request, exception=None):
    return render(request, "errors/error.html", {"code": 403, "title": "没有权限", "text": "您的账户无权访问此页面。"}, status=403)


def not_found(request, exception=None):
    return render(request, "errors/error.html", {"code": 404, "title": "页面不存在", "text": "您要找的页面不存在或已被移除。"}, status=404)


def server_error(request):
    """The Chinese 500 page, also when what broke (the database, the cache) is what the page's context needs:
    then without context processors, and as a last resort a fixed page; never the server's English one."""
    context = {"code": 500, "title": "服务暂时出错", "text": "系统遇到了问题，已记录。请稍后重试；您已填写的内容不会丢失。"}
    try:
        return render(request, "errors/error.html", context, status=500)
    except Exception:  # noqa: BLE001 — any failure here would reach the user as an English stack-trace page
        log.warning("500 page rendered without request context", exc_info=True)
    try:
        return HttpResponseServerError(render_to_string("errors/error.html", context))
    except Exception:  # noqa: BLE001
        return HttpResponseServerError(LAST_RESORT)


def bad_request(request, exception=None):
    return render(request, "errors/error.html", {"code": 400, "title": "请求无效",
                                                 "text": "请求格式不正确（例如文件名过长或表单内容过大），请检查后重试。"}, status=400)


def csrf_failure(request, reason=""):
    return render(request, "errors/error.html", {"code": 403, "title": "页面已过期",
                                                 "text": "表单校验未通过（页面停留过久或 Cookie 被禁用）。请刷新页面后重新提交；已保存的内容不会丢失。"},
                  status=403)
