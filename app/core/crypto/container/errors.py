"""Why a sealed bid was refused, and whose fault that is at the opening."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationError

# reason code → (caused by the bidder?, user-facing message)
REASONS: dict[str, tuple[bool, Any]] = {
    "bad_magic": (True, _l("文件不是 Tender Hall 密封投标文件（文件头标识不符）。")),
    "bad_version": (True, _l("密封投标文件版本不受支持，仅支持第 1 版。")),
    "bad_header": (True, _l("密封投标文件头格式错误或字段缺失。")),
    "wrong_lot": (True, _l("密封投标文件不是为本标段生成的，请下载本标段的开标公钥重新加密。")),
    "wrong_bidder": (True, _l("密封投标文件中的投标人与当前投标单位不一致。")),
    "wrong_key": (True, _l("密封投标文件未使用本标段的开标公钥加密，无法解密。")),
    "too_large": (True, _l("密封投标文件超过允许的大小。")),
    "truncated": (True, _l("密封投标文件不完整（缺少结束分块或分块被截断），请重新上传。")),
    "chunk_order": (True, _l("密封投标文件的分块序号不连续（分块缺失或顺序被调换）。")),
    "bad_frame": (True, _l("密封投标文件的分块长度不符合格式要求。")),
    "trailing_data": (True, _l("密封投标文件在结束分块之后还有多余数据。")),
    "chunk_auth": (True, _l("密封投标文件的分块认证失败：文件已被篡改或与文件头不匹配。")),
    "bad_archive": (True, _l("解密后的投标文件清单或文件内容与清单不一致。")),
    "bad_price_form": (
        True,
        _l("开标一览表格式错误：总价须为以元为单位、最多两位小数的数字字符串。"),
    ),
    "bad_input": (True, _l("待加密的投标文件或开标一览表不符合要求。")),
    "key_unavailable": (False, _l("开标私钥不可用，无法解密（平台原因）。")),
    "storage": (False, _l("平台存储的密文与回执哈希不一致（平台原因）。")),
}


class ContainerError(ValidationError):
    """A sealed bid cannot be accepted or opened.

    ``bidder_fault`` decides the legal outcome at opening: True → 视为撤销 (revoked),
    False → 视为撤回 (retracted, the platform is at fault).
    """

    code = "sealed_bid_invalid"

    def __init__(self, reason: str, message: Any = None, **details: Any) -> None:
        bidder_fault, default = REASONS.get(reason, (False, _l("密封投标文件处理失败。")))
        super().__init__(message or default, reason=reason, **details)
        self.reason = reason
        self.bidder_fault = bidder_fault
        self.status = 422 if bidder_fault else 503

    @property
    def outcome(self) -> str:
        return "revoked" if self.bidder_fault else "retracted"
