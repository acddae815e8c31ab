"""Words a Chinese input method gives for the one meant: the same pinyin, other characters.

Customers type in a hurry, and a pinyin input method offers the word it knows best
first: `借口` for 接口 (jiekou), `超市` for 超时 (chaoshi), `从新` for 重新. The catalog
is written with the words meant; a query is read with them too (`corrected()`), before
its words are looked up and before the engine looks for what it names (`调ecs的借口`:
a cloud service's API). Only words that mean nothing else in a text about calling an
API are here: `发不` (发布, publish) stays, since `请求发不出去` is what it says.
"""

import re

TYPOS = {
    "借口": "接口",
    "掉用": "调用",
    "挑用": "调用",
    "以经": "已经",
    "已近": "已经",
    "签明": "签名",
    "配制": "配置",
    "帐号": "账号",
    "帐户": "账户",
    "超市": "超时",
    "后段": "后端",
    "正书": "证书",
    "方问": "访问",
    "反回": "返回",
    "返会": "返回",
    "时间挫": "时间戳",
    "升极": "升级",
    "没措": "没错",
    "网官": "网关",
    "网管": "网关",
    "黑明单": "黑名单",
    "白明单": "白名单",
    "从新": "重新",
    "从建": "重建",
    "登陆": "登录",
    "密匙": "密钥",
    "秘钥": "密钥",
    "秘匙": "密钥",
    "部暑": "部署",
    "按装": "安装",
    "认正": "认证",
    "授全": "授权",
    "鉴全": "鉴权",
    "流空": "流控",
    "国期": "过期",
    "厚端": "后端",
    "支吃": "支持",
    "超线": "超限",
    "加再": "加载",
    "填措": "填错",
}
# A slip that starts another word is left: 从新加坡 (from Singapore), 从建立 (from setting up).
NOT_BEFORE = {"从新": "加坡", "从建": "立"}
TYPO_RE = re.compile(
    "|".join(
        re.escape(typo) + (f"(?!{NOT_BEFORE[typo]})" if typo in NOT_BEFORE else "")
        for typo in sorted(TYPOS, key=len, reverse=True)
    )
)


def corrected(text: str) -> str:
    """`text` with the words an input method put for others (TYPOS) put right."""
    return TYPO_RE.sub(lambda match: TYPOS[match.group()], text)
