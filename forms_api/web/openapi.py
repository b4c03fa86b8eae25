"""The OpenAPI description of the API, built from the same form definitions it validates with."""

from __future__ import annotations

from typing import Any

from generator import forms
from generator.forms.fields import Field, json_schema

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "稳定的错误代码，如 validation_failed"},
                "message": {"type": "string", "description": "中文说明"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "每个有问题的字段及其中文说明（一次性告知）",
                },
            },
        }
    },
}

RECEIPT = {
    "type": "object",
    "required": ["receipt_no", "lookup_code", "status"],
    "properties": {
        "receipt_no": {
            "type": "string",
            "description": "办件编号，如 ZX20261124-000123",
            "pattern": "^[A-Z]{2}\\d{8}-\\d{6}$",
        },
        "lookup_code": {"type": "string", "description": "查询码，与办件编号一起查询进度"},
        "status": {"type": "string", "enum": ["已提交", "已评价"]},
        "reply_due": {"type": "string", "format": "date", "description": "咨询的答复期限（工作日）"},
        "due_date": {
            "type": "string",
            "format": "date",
            "description": "申请的承诺办结日期（工作日，含调休）",
        },
        "due_date_provisional": {
            "type": "boolean",
            "description": "日期超出已公布的节假日安排，按周一至周五估算",
        },
        "bad": {"type": "boolean", "description": "评价为差评（不满意、非常不满意）"},
        "signature": {"type": "string", "description": "回执的数字签名（密钥标识.Ed25519 签名值）"},
        "verify_code": {"type": "string", "description": "核验码：与办件编号一起在 /api/verify 核验回执"},
    },
}

VERDICT = {
    "type": "object",
    "required": ["issued"],
    "properties": {
        "issued": {"type": "boolean", "description": "本平台出具过这份文书，且内容与签名一致"},
        "type": {"type": "string", "enum": ["回执", "结果文书"]},
        "claims": {
            "type": "object",
            "description": "签名的内容：编号、类型、事项、日期、校验值（不含个人信息）",
        },
        "signed_text": {"type": "string", "description": "签名所覆盖的 UTF-8 JSON 文本"},
        "signature": {"type": "string"},
        "key_id": {"type": "string", "description": "签名密钥标识（公钥见 /api/verify/key.pem）"},
        "code": {"type": "string", "description": "核验码"},
        "message": {"type": "string", "description": "未能核验时的说明"},
    },
}

SLOTS = {
    "type": "object",
    "properties": {
        "item": {"type": "object", "description": "事项（slug、code、name）"},
        "points": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "address": {"type": "string"},
                    "slots": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "slot": {
                                    "type": "string",
                                    "description": "时段，如 2026-12-08T09:00（北京时间）",
                                },
                                "label": {"type": "string", "description": "如 12月8日（周二）09:00—09:30"},
                                "left": {"type": "integer", "description": "剩余名额"},
                            },
                        },
                    },
                },
            },
        },
    },
}

LOOKUP = {
    "type": "object",
    "properties": {
        "receipt_no": {"type": "string"},
        "kind": {"type": "string", "enum": ["咨询", "申请", "投诉建议"]},
        "status": {"type": "string"},
        "submitted_at": {"type": "string", "format": "date-time"},
        "item": {"type": ["object", "null"]},
        "accepted": {"type": "boolean", "description": "申请已受理（办结期限自受理之日起计算）"},
        "due_date": {"type": ["string", "null"], "format": "date", "description": "承诺办结日期，受理后才有"},
        "reply_due": {"type": "string", "format": "date"},
        "timeline": {
            "type": "array",
            "items": {"type": "object"},
            "description": "进度节点：时间、状态、说明（不含工作人员姓名）",
        },
        "corrections": {
            "type": "array",
            "items": {"type": "string"},
            "description": "需补正时，需要补正的全部内容，每项一行",
        },
        "correction_url": {
            "type": "string",
            "description": "需补正时，提交补正材料的地址（加 ?code=查询码）",
        },
        "refusal_reason": {"type": "string", "description": "不予受理的理由"},
        "result": {
            "type": "object",
            "description": "办理结果；有结果文书文件时可从 /api/lookup/{receipt_no}/result-file 下载",
        },
        "reply": {"type": ["object", "null"], "description": "咨询的答复"},
        "rated": {"type": "boolean"},
        "may_rate": {"type": "boolean", "description": "已办结或已答复、尚未评价：可以评价"},
    },
}

HONEYPOT = Field(forms.HONEYPOT, "请留空", required=False, help="防止自动提交：人工填写时应保持为空")


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {
        400: "请求无法读取",
        403: "来自不允许的网站",
        409: "与当前状态冲突（已评价过、当前无需补正等）",
        413: "请求过大",
        415: "不支持的内容格式",
        422: "填写的内容有问题（fields 列出全部）",
        429: "提交过于频繁（见 Retry-After）",
        503: "暂时无法保存，本次提交未被受理",
    }
    ref = {"$ref": "#/components/schemas/Error"}
    return {
        str(s): {"description": texts[s], "content": {"application/json": {"schema": ref}}} for s in statuses
    }


def _post(
    summary: str, schema_name: str, *, multipart: bool = False, conflict: bool = False, answer: str = ""
) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{schema_name}"}
    content = {"multipart/form-data": {"schema": schema}}
    if not multipart:
        content = {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        }
    statuses = [400, 403, 413, 415, 422, 429, 503] + ([409] if conflict else [])
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": content},
            "responses": {
                **(
                    {
                        "200": {
                            "description": answer,
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    }
                    if answer
                    else {
                        "201": {
                            "description": "已受理：办件编号和查询码",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
                            },
                        }
                    }
                ),
                **_errors(*sorted(statuses)),
            },
        }
    }


def build(site_name: str) -> dict[str, Any]:
    application = json_schema(forms.Form("application", forms.APPLICANT), [HONEYPOT])
    application["additionalProperties"] = {
        "description": "事项自己的申请表字段（按字段标识），以及每份材料一个文件（按材料标识）；"
        "各事项的字段和材料见开放数据 /data/catalog.json 中的 application_fields 和 materials",
    }
    lookup_params = [
        {
            "name": "code",
            "in": "query",
            "required": True,
            "schema": {"type": "string"},
            "description": "查询码",
        }
    ]
    receipt_param = {"name": "receipt_no", "in": "path", "required": True, "schema": {"type": "string"}}
    not_found = {
        "description": "办件编号不存在或查询码不正确（两者的回答完全相同）",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    lookup_responses = {
        "200": {
            "description": "办件进度",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lookup"}}},
        },
        **_errors(429),
        "404": {
            "description": "办件编号不存在或查询码不正确（两者的回答完全相同）",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    }
    verify_params = [
        {"name": "receipt_no", "in": "query", "required": True, "schema": {"type": "string"}},
        {
            "name": "code",
            "in": "query",
            "required": True,
            "schema": {"type": "string"},
            "description": "核验码",
        },
    ]
    verdict = {
        "description": "核验结果（未能核验时 issued 为 false，编号不存在与核验码不符的回答相同）",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verdict"}}},
    }
    not_found_item = {
        "description": "没有这个可预约的事项",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    not_found_plain = {
        "description": "网站尚未生成校验清单",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site_name}在线服务接口",
            "version": "1",
            "description": "咨询留言、网上申请、好差评、进度查询、预约办理、培训报名和文书核验。",
        },
        "paths": {
            "/api/consultations": _post("提交咨询留言", "Consultation"),
            "/api/applications": _post("提交网上申请和材料", "Application", multipart=True),
            "/api/ratings": _post("提交评价（好差评）", "Rating", conflict=True),
            "/api/complaints": _post("提交投诉或建议", "Complaint"),
            "/api/lookup/{receipt_no}": {
                "get": {
                    "summary": "查询办件进度",
                    "parameters": [
                        {"name": "receipt_no", "in": "path", "required": True, "schema": {"type": "string"}},
                        *lookup_params,
                    ],
                    "responses": lookup_responses,
                }
            },
            "/api/lookup": {
                "get": {
                    "summary": "查询办件进度（表单提交）",
                    "parameters": [
                        {"name": "receipt_no", "in": "query", "required": True, "schema": {"type": "string"}},
                        *lookup_params,
                    ],
                    "responses": lookup_responses,
                }
            },
            "/api/lookup/{receipt_no}/correction": {
                "get": {
                    "summary": "补正材料表单（网页）",
                    "parameters": [receipt_param, *lookup_params],
                    "responses": {
                        "200": {"description": "补正表单页面"},
                        **_errors(409, 429),
                        "404": not_found,
                    },
                },
                "post": {
                    "summary": "提交补正材料（一次提交补正通知列出的全部材料）",
                    "parameters": [receipt_param],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["code"],
                                    "properties": {
                                        "code": {"type": "string", "description": "查询码"},
                                        "note": {"type": "string", "description": "补正说明"},
                                    },
                                    "additionalProperties": {
                                        "type": "string",
                                        "format": "binary",
                                        "description": "以材料编号为字段名的文件",
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "已收到补正材料，返回最新进度",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Lookup"}}
                            },
                        },
                        **_errors(409, 422, 429),
                        "404": not_found,
                    },
                },
            },
            "/api/lookup/{receipt_no}/result-file": {
                "get": {
                    "summary": "下载结果文书",
                    "parameters": [receipt_param, *lookup_params],
                    "responses": {"200": {"description": "结果文书文件"}, **_errors(429), "404": not_found},
                }
            },
            "/api/appointments/slots": {
                "get": {
                    "summary": "可预约的网点和时段（预约办理）",
                    "parameters": [
                        {
                            "name": "item",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "事项标识或实施编码",
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "每个可预约网点的可约时段和剩余名额",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Slots"}}
                            },
                        },
                        "404": not_found_item,
                    },
                }
            },
            "/api/appointments": _post("预约窗口办理", "Appointment", conflict=True),
            "/api/appointments/cancel": _post(
                "取消预约（预约编号和查询码）", "AppointmentChange", conflict=True, answer="已取消"
            ),
            "/api/appointments/move": _post(
                "改约到另一时段（原预约取消，返回新的预约编号和查询码）", "AppointmentChange", conflict=True
            ),
            "/api/events/{event_id}": {
                "get": {
                    "summary": "培训讲座的名额、已报名和候补人数",
                    "parameters": [
                        {"name": "event_id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "capacity、registered、left、waiting",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "404": not_found_item,
                    },
                }
            },
            "/api/registrations": _post("报名培训讲座（报满时进入候补）", "Registration", conflict=True),
            "/api/registrations/cancel": _post(
                "取消报名（报名编号和查询码）；名额按候补顺序递补",
                "RegistrationCancel",
                conflict=True,
                answer="已取消",
            ),
            "/api/verify": {
                "get": {
                    "summary": "文书核验：凭办件编号和核验码核实回执或结果文书",
                    "parameters": verify_params,
                    "responses": {"200": verdict, **_errors(422, 429)},
                }
            },
            "/api/verify/document": {
                "post": {
                    "summary": "文书核验：凭结果文书文件核实",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["receipt_no", "file"],
                                    "properties": {
                                        "receipt_no": {"type": "string", "description": "办件编号"},
                                        "file": {
                                            "type": "string",
                                            "format": "binary",
                                            "description": "结果文书文件",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"200": verdict, **_errors(400, 413, 415, 422, 429)},
                }
            },
            "/api/verify/qr.svg": {
                "get": {
                    "summary": "回执上的文书核验二维码（SVG）",
                    "parameters": verify_params,
                    "responses": {"200": {"description": "二维码图片"}, **_errors(422)},
                }
            },
            "/api/verify/key.pem": {
                "get": {
                    "summary": "平台的签名公钥（Ed25519，PEM）",
                    "responses": {"200": {"description": "公钥"}},
                }
            },
            "/api/opendata/SHA256SUMS.sig": {
                "get": {
                    "summary": "开放数据校验清单 data/SHA256SUMS 的签名（Ed25519，64 字节）",
                    "responses": {"200": {"description": "签名"}, "404": not_found_plain},
                }
            },
            "/api/health": {
                "get": {"summary": "服务进程存活", "responses": {"200": {"description": "正常"}}}
            },
            "/api/ready": {
                "get": {
                    "summary": "服务可以受理（数据存储可写）",
                    "responses": {
                        "200": {"description": "可以受理"},
                        "503": {"description": "暂不能受理，附原因"},
                    },
                }
            },
            "/api/openapi.json": {
                "get": {"summary": "本接口说明", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
        },
        "components": {
            "schemas": {
                "Consultation": json_schema(forms.CONSULTATION, [HONEYPOT]),
                "Application": application,
                "Rating": json_schema(forms.RATING, [HONEYPOT]),
                "Complaint": json_schema(forms.COMPLAINT, [HONEYPOT]),
                "Receipt": RECEIPT,
                "Lookup": LOOKUP,
                "Verdict": VERDICT,
                "Appointment": json_schema(forms.APPOINTMENT, [HONEYPOT]),
                "AppointmentChange": json_schema(forms.APPOINTMENT_CHANGE, [HONEYPOT]),
                "Slots": SLOTS,
                "Registration": json_schema(forms.REGISTRATION, [HONEYPOT]),
                "RegistrationCancel": json_schema(forms.REGISTRATION_CANCEL, [HONEYPOT]),
                "Error": ERROR,
            }
        },
    }
