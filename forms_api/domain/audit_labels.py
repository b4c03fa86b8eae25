"""How the audit log names what was done: every workflow action, and what staff and the system
do beside the workflow (looking at guarded data, exports, measures, background jobs)."""

from __future__ import annotations

from .workflow.rules import ACTION_LABELS

AUDIT_LABELS = {
    **ACTION_LABELS,
    "reveal": "查看完整个人信息",
    "material": "查看申请材料",
    "result_file": "查看结果文书",
    "export": "导出办件清单",
    "create_measure": "登记改进措施",
    "update_measure": "更新改进措施",
    "job_failed": "后台任务失败",
    "job_retry": "重新执行后台任务",
    "uploads_cleanup": "清理无记录引用的上传文件",
    "retention_erase": "按保存期限删除个人信息",
    "lookup_throttled": "查询码输错次数过多，已暂停该编号的查询",
    "sign_in_sheet": "下载培训讲座签到表",
    "key_rotated": "轮换密钥",
}
