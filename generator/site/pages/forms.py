"""The pages of the online service: 咨询留言, 进度查询, 服务评价, 投诉建议, and the shell the service
renders its answers in.

The forms themselves are templates shared with the service (generator/templates/forms/): the
site renders them empty, the service with a submission and its problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import forms

from .. import urls
from ..page import SitePage
from ..site import Site

SHELL = "forms/page/"
"""The shell page: the forms service puts its answers where the page's marker is."""


def empty_form() -> dict[str, Any]:
    """What a form template needs when nothing has been submitted yet."""
    return {"forms": forms, "values": {}, "errors": {}, "summary": None, "item": None, "slug": None}


def pages(site: Site) -> Iterator[SitePage]:
    name = site.platform.name
    reply_days = site.platform.settings.consultation_reply_days
    yield SitePage(
        url=urls.CONSULT,
        title="咨询留言",
        description=f"向{name}留言咨询办理事项、申请材料和知识产权政策，{reply_days} 个工作日内答复。",
        template="forms/consultation.html",
        in_nav=True,
        context=empty_form,
    )
    yield SitePage(
        url=urls.LOOKUP,
        title="进度查询",
        description="凭回执上的办件编号和查询码，查询咨询留言和网上申请的办理进度、补正要求和答复。",
        template="forms/lookup.html",
        in_nav=True,
        context=empty_form,
    )
    yield SitePage(
        url=urls.VERIFY,
        title="文书核验",
        description=f"核实一份回执或结果文书是否由{name}出具、内容是否与出具时一致：凭核验码、二维码或结果文书文件核验。",
        template="forms/verify.html",
        context=empty_form,
    )
    yield SitePage(
        url=urls.RATE,
        title="服务评价",
        description=f"对{name}办理的服务或事项办事指南进行评价（好差评），差评由责任部门核实整改并回访。",
        template="forms/rating.html",
        in_nav=True,
        context=empty_form,
    )
    complaint_days = site.platform.settings.complaint_reply_days
    yield SitePage(
        url=urls.COMPLAIN,
        title="投诉建议",
        description=f"对{name}的服务提出投诉或建议，{complaint_days} 个工作日内反馈处理结果。",
        template="forms/complaint.html",
        in_nav=True,
        context=empty_form,
    )
    yield SitePage(
        url=urls.DISCLOSURE,
        title="信息公示",
        description=f"{name}网上申请的受理、办理和办结情况公示（不含申请人信息）。",
        template="forms/disclosure.html",
        context=lambda: {"rows": None},
        in_nav=True,
    )
    yield SitePage(
        url=SHELL,
        title="在线服务",
        description=f"{name}在线服务：咨询留言、网上申请、评价和进度查询的办理结果。",
        template="forms-shell.html",
        searchable=False,
        service_shell=True,
    )
