"""The words customers use, mapped to the words the catalog uses.

Each phrase found in a query becomes groups of alternatives, the catalog's words
for it: `|` separates groups that should all match, words within a group are
alternatives (list the phrase's own words where the catalog uses them too).
Longer phrases are matched first. A word that is several index tokens (a Chinese word
of three or more characters, `请求body`) is one alternative whose tokens must all be
held: `调用次数用完` is not matched by a row that only says 调用.
"""

import re
from functools import lru_cache
from http import HTTPStatus

from kb.text.addresses import IPV4_RE
from kb.text.tokens import (
    CONTRAST_RE,
    QUERY_CLAUSE_RE,
    CuedPattern,
    counted,
    fold_width_and_case,
    han_quantities,
    tokens,
    undenied,
)
from kb.text.typos import corrected

SYNONYMS: dict[str, str] = {
    # English
    "too many requests": "throttling",
    "rate limited": "throttling",
    "rate limit": "throttling",
    "rate-limit": "throttling",
    "ratelimit": "throttling",
    "throttled": "throttling",
    "flow control": "throttling",
    "timed out": "timeout",
    # A call cut off: by the gateway that stopped waiting (a timeout) or by a backend gone
    # (unavailable), as 断开 below.
    "cut off": "timeout unavailable",
    # A token past its lifetime has expired.
    "past its lifetime": "expired",
    "past their lifetime": "expired",
    "beyond its lifetime": "expired",
    "time out": "timeout",
    "took too long": "timeout",
    "time limit": "timeout",
    "bad gateway": "backend unavailable",
    "upstream": "backend",
    "connection refused": "backend unavailable",
    "service unavailable": "unavailable | service",
    "forbidden": "forbidden denied not authorized",
    # Banned is forbidden.
    "ban": "forbidden denied",
    "banned": "forbidden denied",
    "bans": "forbidden denied",
    "not allowed": "denied not authorized",
    # Out of bounds to the caller: not a limit reached.
    "off-limits": "denied not authorized",
    "off limits": "denied not authorized",
    "no permission": "denied not authorized",
    "permission denied": "denied not authorized",
    "unauthorized": "authentication incorrect",
    "unauthorised": "authentication incorrect",
    # Not found, keeping its own word: `cannot be found`, as rows say it, is found.
    "not found": "exist found",
    "not-found": "exist found",
    "cannot be found": "exist found",
    "can't be found": "exist found",
    "could not be found": "exist found",
    "couldn't be found": "exist found",
    # As a learner writes it.
    "cannot found": "exist found",
    "can't found": "exist found",
    "doesn't exist": "exist",
    "does not exist": "exist",
    # What is no longer there (`the app isn't there anymore`) does not exist.
    "isn't there anymore": "exist",
    "isn't there any more": "exist",
    "not there anymore": "exist",
    "not there any more": "exist",
    "no longer there": "exist",
    "no longer exists": "exist",
    # A gateway that takes only one protocol supports that one.
    "only takes": "support",
    "only accepts": "support",
    "only supports": "support",
    # What can only go one way (只能走https, 只能用POST) is the one supported, allowed.
    "只能走": "支持 允许",
    "只能用": "支持 允许",
    "missing": "exist lack",
    "omitted": "lack",
    "absent": "lack",
    "omits": "lack",
    "left out": "lack",
    # Not sent: missing from the request.
    "didn't send": "lack",
    "did not send": "lack",
    "didn't pass": "lack",
    "did not pass": "lack",
    "didn't include": "lack",
    "did not include": "lack",
    "forgot to send": "lack",
    "forgot to pass": "lack",
    "forgot to include": "lack",
    "forgot to add": "lack",
    "never sent": "lack",
    "not sent": "lack",
    # What the gateway cannot locate does not exist, in the catalog's words (and it
    # cannot find it, as the phrasings say).
    "cannot locate": "exist find",
    "can't locate": "exist find",
    "couldn't be located": "exist find",
    "couldn't locate": "exist find",
    "could not locate": "exist find",
    "unable to locate": "exist find",
    "failed to locate": "exist find",
    "can't be located": "exist find",
    "cannot be located": "exist find",
    "could not be located": "exist find",
    "cannot find": "exist find",
    "can not find": "exist find",
    "can't find": "exist find",
    "cant find": "exist find",
    "couldn't find": "exist find",
    "could not find": "exist find",
    "unable to find": "exist find",
    "failed to find": "exist find",
    "quota exceeded": "quota used up",
    "out of quota": "quota used up",
    "used up": "quota used up",
    # An allowance of calls is a quota; one fully consumed, exhausted or run out of is used up.
    "allowance": "quota allowance",
    "fully consumed": "used up",
    "exhausted": "used up exhausted",
    "ran out of": "used up",
    "run out of": "used up",
    "runs out of": "used up",
    "running out of": "used up",
    # The cloud's marketplace, where calls to an API are bought, is KooGallery (云商店).
    "marketplace": "marketplace koogallery",
    "bundle": "bundle package",
    "云市场": "云商店",
    # A CIDR block is a range of IP addresses.
    "cidr": "ip cidr",
    "cert": "certificate",
    # A service (or a port) not open, or not yet opened, is in the catalog's words unavailable.
    "not open": "unavailable",
    "not opened": "unavailable",
    "not yet open": "unavailable",
    "未开通": "不可用 unavailable",
    "没开通": "不可用 unavailable",
    "没有开通": "不可用 unavailable",
    # What a proxy rewrites (a path, a header) it has, in the catalog's words, modified or
    # changed since it was signed.
    "rewrite": "modified changed",
    "rewrites": "modified changed",
    "rewritten": "modified changed",
    "rewriting": "modified changed",
    # `older` is not stemmed to `old`: a token older than its lifetime is a token too old.
    "older": "old older",
    # What the gateway cannot figure out, it cannot identify.
    "figure out": "identify figure",
    "work out": "identify figure",
    "make out": "identify figure",
    "determine": "identify determine",
    "认不出": "识别 认不出",
    "认不到": "识别 认不出",
    # HTTP's name for 504; the timeout is the telling word (`backend` is in half the rows,
    # and made the rows that hold it crowd out the timeout's).
    "gateway timeout": "timeout",
    # What must be renewed is, in the catalog's words, updated.
    "needs to be refreshed": "updated",
    "need to be refreshed": "updated",
    "must be refreshed": "updated",
    "needs refreshing": "updated",
    "needs refresh": "updated",
    "needs a refresh": "updated",
    "needs to be renewed": "updated",
    "needs renewing": "updated",
    # What could not be loaded (or pulled) failed to load, in the catalog's words.
    "couldn't load": "load | failed",
    "could not load": "load | failed",
    "can't load": "load | failed",
    "cannot load": "load | failed",
    "unable to load": "load | failed",
    "couldn't pull": "load | failed",
    "could not pull": "load | failed",
    "can't pull": "load | failed",
    "cannot pull": "load | failed",
    "unable to pull": "load | failed",
    # A backend the gateway cannot connect to is unavailable.
    "unreachable": "unavailable unreachable",
    "not reachable": "unavailable unreachable",
    "can't reach": "unavailable reach",
    "cannot reach": "unavailable reach",
    "can't connect": "unavailable connect",
    "cannot connect": "unavailable connect",
    "unable to connect": "unavailable connect",
    "unable to reach": "unavailable reach",
    "couldn't be reached": "unavailable reach",
    "could not be reached": "unavailable reach",
    "can't be reached": "unavailable reach",
    "cannot be reached": "unavailable reach",
    # Not available is unavailable, as the catalog says it (`No backend available.` too).
    "not available": "unavailable available",
    "isn't available": "unavailable available",
    "is not available": "unavailable available",
    "no healthy": "no | healthy available",
    "unhealthy": "unhealthy unavailable",
    "malformed": "invalid malformed",
    # A record set is what the DNS service's API works on, not a record that failed to
    # resolve.
    "record set": "recordset",
    "record sets": "recordset",
    "recordsets": "recordset",
    # What cannot be made sense of cannot be read: an unreadable answer.
    "make sense of": "unreadable invalid",
    "make any sense of": "unreadable invalid",
    # What came back from a service is its response.
    "came back": "response",
    "comes back": "response",
    # What the gateway cannot read: garbage, or a value chopped short.
    "garbage": "garbled invalid",
    "chopped": "truncated invalid",
    "chopping": "truncated invalid",
    # What the gateway cannot use is, in the catalog's words, invalid.
    "unusable": "invalid unusable",
    "not usable": "invalid",
    "misspelled": "typo misspelled",
    "not valid": "invalid",
    "isn't valid": "invalid",
    "not a valid": "invalid",
    "isn't a valid": "invalid",
    # Wrong, in the catalog's words, is incorrect (its messages) or wrong (its phrasings).
    "wrong": "wrong incorrect",
    # Bad is invalid (the catalog's messages), but a "400 Bad Request" is its reason
    # phrase, nothing more.
    "bad": "bad invalid incorrect",
    "bad request": "bad | request",
    # Refused, rejected and denied say one thing (`the API refuses our calls`: access denied).
    "refuse": "refuse reject denied",
    "refused": "refuse reject denied",
    "refusing": "refuse reject denied",
    "reject": "refuse reject denied",
    "rejected": "refuse reject denied",
    "rejecting": "refuse reject denied",
    # A domain name of the customer's own is, in the catalog's words, independent.
    "custom domain": "independent | domain",
    "own domain": "independent | domain",
    "debug domain": "debugging | domain",
    "debug subdomain": "debugging | domain",
    "subdomain": "domain",
    # Abbreviations people type.
    "auth": "auth authentication",
    "sig": "signature",
    "creds": "credential",
    "cred": "credential",
    "env": "environment",
    "config": "configuration",
    "req": "request",
    "tkn": "token",
    "resp": "response",
    "info": "info information",
    "param": "param parameter",
    # `ips` is too short for the stemmer to make it `ip`.
    "ips": "ip ips",
    # A sub-user (sub-account) of an account is, in the catalog's words, an IAM user.
    "sub-user": "iam | user",
    "subuser": "iam | user",
    "sub user": "iam | user",
    "sub-account": "iam | user",
    "sub account": "iam | user",
    "mtls": "client certificate",
    # OpenID Connect, as the catalog names its authentication.
    "openid connect": "oidc",
    "openid": "oidc",
    "ssl": "ssl tls protocol",
    "tls": "ssl tls protocol",
    "signature mismatch": "signature | mismatch",
    "bad signature": "signature",
    "invalid signature": "signature",
    "wrong signature": "signature",
    "clock skew": "clock time",
    "blocked": "denied not authorized",
    "down": "unavailable",
    "url": "uri url",
    "wrong http method": "request | method",
    "wrong method": "request | method",
    "method not allowed": "request | method",
    # A 404 where HTTP would answer 405 is a wrong method; a 405 the gateway answers
    # itself is a quota or a frozen app, so the status alone says nothing of a method.
    "instead of 405": "request | method",
    "rather than 405": "request | method",
    "not 405": "request | method",
    "wrong verb": "request | method",
    "http method": "request | method",
    "http verb": "request | method",
    # A credential unbound from an API: the catalog says what is (not) bound to it.
    "unbound": "unbound bound bind",
    "unbind": "unbound bound bind",
    "unbinding": "unbound bound bind",
    "unbinded": "unbound bound bind",
    # IAM by what it is.
    "identity service": "iam",
    "identity and access management": "iam",
    # A media (MIME) type is, in the catalog's words, the Content-Type.
    "content type": "contenttype",
    "media type": "contenttype",
    "mime type": "contenttype",
    "application/json": "contenttype",
    "application/xml": "contenttype",
    "text/plain": "contenttype",
    "application/x-www-form-urlencoded": "contenttype",
    "x-www-form-urlencoded": "contenttype",
    "form-urlencoded": "contenttype",
    "urlencoded": "contenttype",
    "multipart/form-data": "contenttype",
    "form-data": "contenttype",
    "custom authorizer": "custom | authorizer frontend",
    "custom authoriser": "custom | authorizer frontend",
    # The way a caller signs in (认证方式, said word for word): its method.
    "authentication way": "authentication | method",
    "auth way": "authentication | method",
    "way of auth": "authentication | method",
    "way of authentication": "authentication | method",
    "authentication mode": "authentication | method",
    "auth mode": "authentication | method",
    "signing": "signature",
    "sign": "signature",
    "expired": "expired expires",
    "expire": "expired expires",
    # Grown too old to be accepted: expired.
    "aged out": "expired expires",
    "age out": "expired expires",
    "ages out": "expired expires",
    "aging out": "expired expires",
    # A validity that has lapsed has expired.
    "lapsed": "expired expires",
    "lapses": "expired expires",
    # A failure the answer does not explain: the gateway's internal error.
    "generic error": "internal error",
    "generic failure": "internal error",
    # Failed in the gateway itself, not in the backend: its internal error.
    "inside the gateway": "internal | gateway",
    "within the gateway": "internal | gateway",
    # Come to the end of its validity period, in English as in Chinese (超过有效期).
    "past its validity": "expired expires",
    "past the validity": "expired expires",
    "past validity": "expired expires",
    "beyond its validity": "expired expires",
    "beyond the validity": "expired expires",
    "out of its validity": "expired expires",
    "outside its validity": "expired expires",
    "outside the validity": "expired expires",
    # No longer current: a token or a certificate out of date has expired.
    "out of date": "expired expires",
    "out-of-date": "expired expires",
    "outdated": "expired expires",
    "wrong app key": "appkey secretkey invalid",
    "wrong appkey": "appkey secretkey invalid",
    "app key": "appkey",
    "authorization parameter": "auth | parameter",
    "authorization parameters": "auth | parameter",
    "authorisation parameters": "auth | parameter",
    "client identifier": "client | id",
    "app secret": "appsecret",
    "secret key": "secretkey",
    "too big": "too large",
    "payload": "body entity",
    "body": "body entity",
    "whitelist": "ip access control",
    "blacklist": "ip access control",
    "allowlist": "ip access control",
    "denylist": "ip access control",
    "whitelisted": "ip access control",
    "blacklisted": "ip access control",
    "allowlisted": "ip access control",
    "denylisted": "ip access control",
    "white list": "ip access control",
    "black list": "ip access control",
    "white-list": "ip access control",
    "black-list": "ip access control",
    "block list": "ip access control",
    "blocklist": "ip access control",
    "blocklisted": "ip access control",
    "blocked list": "ip access control",
    "ip blocked": "ip address access control",
    "dns": "domain name resolution",
    # A signature the gateway makes (computes, generates, produces) is calculated.
    "computing the signature": "signature | calculation",
    "compute the signature": "signature | calculation",
    "generating the signature": "signature | calculation",
    "generate the signature": "signature | calculation",
    "producing the signature": "signature | calculation",
    "produce the signature": "signature | calculation",
    # A host name that cannot be looked up failed to resolve.
    "be looked up": "domain name resolution",
    "lookup failed": "domain name resolution",
    "lookup fails": "domain name resolution",
    "lookup failure": "domain name resolution",
    "failed to look up": "domain name resolution",
    "fails to look up": "domain name resolution",
    "can't look up": "domain name resolution",
    "cannot look up": "domain name resolution",
    "couldn't look up": "domain name resolution",
    "could not look up": "domain name resolution",
    # The API of the cloud DNS service is no failure to resolve a name.
    "dns api": "api",
    # Irregular forms the stemmer keeps apart from the catalog's `frozen`.
    "freeze": "frozen freeze",
    "freezes": "frozen freeze",
    "froze": "frozen freeze",
    "freezed": "frozen freeze",
    "balance": "frozen balance",
    # What could not be validated failed verification.
    "validated": "validated verified",
    "validate": "validate verify",
    "validation": "validation verification",
    # What was removed was deleted.
    "removed": "removed deleted",
    "remove": "remove delete",
    "removing": "removing deleting",
    # A load balance channel is no account's balance.
    "load balance": "load | balance",
    "load-balance": "load | balance",
    "arrears": "frozen balance",
    "recursion": "call itself",
    "loop": "call itself",
    # Chinese
    "限流": "流控",
    "限速": "流控",
    "频率限制": "流控",
    "请求太多": "流控",
    "请求过多": "流控",
    "调用太频繁": "流控",
    "太频繁": "流控",
    "超时了": "超时",
    # A connection cut off: by the gateway that stopped waiting (a timeout) or by a backend
    # gone (unavailable). A backend still at work says it timed out.
    "断开": "超时 不可用 断开",
    "还在处理": "超时 还在处理",
    "仍在处理": "超时 还在处理",
    "欠费": "余额不足 冻结",
    "没钱": "余额不足 冻结",
    "余额": "余额不足 冻结",
    "白名单": "黑白名单 访问控制",
    "黑名单": "黑白名单 访问控制",
    # What an access control policy lets through, it allows.
    "放行": "放行 黑白名单 访问控制",
    "太大": "过大",
    "过长": "过大",
    "太长": "过大",
    "请求体": "请求body",
    "拒绝访问": "不允许访问",
    "被拒绝": "不允许访问",
    "禁止访问": "不允许访问",
    "不让访问": "不允许访问 不让访问",
    "不准访问": "不允许访问 不准访问",
    "访问被拒": "不允许访问 访问被拒",
    "无权限": "不允许访问",
    "没有权限": "不允许访问",
    "没权限": "不允许访问",
    "没有访问权限": "不允许访问",
    "无访问权限": "不允许访问",
    "找不到": "不存在 无法找到 找不到",
    "没找到": "不存在 无法找到 找不到",
    "找不着": "不存在 无法找到 找不到",
    # Gone, lost: what the gateway no longer has does not exist.
    "丢了": "不存在 无法找到 找不到 丢失",
    "没了": "不存在 无法找到 找不到 丢失 没了",
    "不见了": "不存在 无法找到 找不到 丢失",
    # What was deleted is not there any more.
    "删掉了": "不存在 删除",
    "被删": "不存在 删除",
    "删了": "不存在 删除",
    "删除了": "不存在 删除",
    "签名校验失败": "签名 signature | 匹配 mismatch 过期",
    "签名校验": "签名 signature | 匹配 mismatch 过期",
    "验签失败": "签名 signature | 匹配 mismatch 过期",
    # APP authentication is one word: many rows say app (a credential, an app not authorized)
    # and only the app authentication rows say both.
    "app认证": "app认证 | 认证",
    # An external authentication service is, in the catalog's words, a third-party one
    # (before 认证失败, of the same length: `外部认证失败`).
    "外部认证": "第三方认证 外部认证",
    "外部鉴权": "第三方鉴权 第三方认证 外部鉴权",
    # Authentication information (鉴权信息, 鉴权失败), in the catalog's words, 认证.
    "鉴权信息": "认证信息 鉴权信息",
    "鉴权失败": "认证失败 鉴权失败",
    "认证失败": "认证信息错误 认证失败",
    "认证不通过": "认证信息错误 认证失败",
    "认证没通过": "认证信息错误 认证失败",
    "认证没过": "认证信息错误 认证失败",
    # Many failed attempts in a row are what brute-force blocking counts (防爆力拦截, as the
    # official table writes it).
    "连续失败": "多次 暴力 爆力",
    "多次失败": "多次 暴力 爆力",
    "失败多次": "多次 暴力 爆力",
    "失败很多次": "多次 暴力 爆力",
    "暴力": "暴力 爆力",
    # Not `authorizer`: its stem is that of `authorized`, which every not-authorized row says.
    "自定义认证": "custom | frontend 自定义认证",
    "内容类型": "content-type contenttype 内容类型",
    "媒体类型": "content-type contenttype 内容类型",
    "请求方法不对": "请求方法",
    "方法不对": "请求方法",
    # Not the request's method: how the caller signs in (`认证方法不对`, `认证方式不对`).
    "认证方法不对": "认证方法 认证方式 | 不合法",
    "认证方式不对": "认证方法 认证方式 | 不合法",
    "签名错误": "签名 校验",
    "签名失败": "签名 校验",
    "签名不对": "签名 校验",
    "签名不匹配": "签名 校验",
    # A backend service or server is, in the catalog's words, the backend.
    "后端服务器": "后端",
    "后端服务": "后端",
    "后端挂了": "后端不可用",
    "后端不通": "后端不可用",
    "关机": "宕机 不可用",
    "全挂": "全挂 没有可连接 不可用",
    "都挂": "全挂 没有可连接 不可用",
    # Down (宕) as a machine is down: all of them (都宕了) leave none to connect to.
    "全宕": "全挂 没有可连接 不可用",
    "都宕": "全挂 没有可连接 不可用",
    "宕了": "挂了 不可用",
    "宕掉": "挂了 不可用",
    # Down (挂了), whatever is down, is unavailable (after 全挂 and 都挂: `全挂了`).
    "挂了": "挂了 不可用",
    "挂掉": "挂了 不可用",
    "不健康": "健康 不可用",
    # Port 443 is HTTPS.
    "443端口": "https",
    "连不上后端": "后端不可用",
    # A connection refused (`connection refused` above) is a backend that is not there.
    "连接被拒绝": "后端不可用",
    "连接后端被拒绝": "后端不可用",
    "拒绝连接": "后端不可用",
    "证书错误": "证书校验失败",
    "拦下": "拦截 拒绝 被拒",
    "拦了": "拦截 拒绝 被拒",
    "拦住": "拦截 拒绝 被拒",
    "挡了": "拦截 拒绝 被拒",
    "被拒": "拦截 拒绝 被拒",
    "被拦": "拦截 拒绝 被拒",
    # Refused, whoever refused (after 被拒绝 and 拒绝访问, of a permission).
    "拒绝": "拦截 拒绝 被拒",
    "拒收": "拦截 拒绝 被拒 拒收",
    # What the gateway does not accept (不被认, 不认) is, in the catalog's words, invalid.
    "不被认": "无效 不合法",
    "不认": "无效 不合法",
    "自定义域名": "独立域名",
    # An interface (接口) is, in the catalog's words, an API.
    "接口": "接口 api",
    # A sub-user (子用户, 子账号) is an IAM user.
    "子用户": "iam | 用户",
    "子账号": "iam | 用户",
    "子帐号": "iam | 用户",
    # Written wrong: a typo, whatever the verb.
    "写错": "写错 拼错 填错 错误 不合法",
    "拼错": "写错 拼错 填错 错误 不合法",
    "填错": "写错 拼错 填错 错误 不合法",
    "打错": "写错 拼错 填错 错误 不合法",
    "输错": "写错 拼错 填错 错误 不合法",
    "抄错": "写错 拼错 填错 错误 不合法",
    "复制错": "写错 拼错 填错 错误 不合法",
    "贴错": "写错 拼错 填错 错误 不合法",
    "对不上": "对不上 不一致 不匹配 mismatch",
    "不一样": "不一样 不一致 不匹配 mismatch",
    "不相同": "不一样 不一致 不匹配 mismatch",
    "不对": "不对 错误 不合法 不正确",
    "不正确": "不对 错误 不正确",
    # An error reported is a failure; alone it tells no row from another.
    "报错": "报错 失败 错误",
    # What went wrong inside the server (里头, 里面) is an internal error.
    "里头出错": "内部错误",
    "里面出错": "内部错误",
    "内部出错": "内部错误",
    "服务端出错": "内部错误",
    "服务器出错": "内部错误",
    "服务端故障": "内部错误",
    "服务端出了故障": "内部错误",
    "服务端出故障": "内部错误",
    "次数用完": "调用次数用完",
    "额度": "配额 额度",
    # Not sent, in the catalog's words, is missing.
    "没带": "缺少 缺失 没带 没传",
    "没传": "缺少 缺失 没带 没传",
    "没有传": "缺少 缺失 没带 没传",
    "漏传": "缺少 缺失 没带 没传",
    "忘了传": "缺少 缺失 没带 没传",
    "忘记传": "缺少 缺失 没带 没传",
    "忘了带": "缺少 缺失 没带 没传",
    "少了": "缺少 缺失 没带 没传",
    "没放": "缺少 缺失 没带 没传",
    "没填": "缺少 缺失 没带 没传",
    "没给": "缺少 缺失 没带 没传",
    "未带": "缺少 缺失 没带 没传",
    "未传": "缺少 缺失 没带 没传",
    "未携带": "缺少 缺失 没带 没传",
    "没携带": "缺少 缺失 没带 没传",
    "未附带": "缺少 缺失 没带 没传",
    "没附带": "缺少 缺失 没带 没传",
    "未提供": "缺少 缺失 没带 没传",
    "没提供": "缺少 缺失 没带 没传",
    "漏了": "缺少 缺失 没带 没传",
    "漏掉": "缺少 缺失 没带 没传",
    # Something short (少东西, 少参数, 少个字段): missing.
    "少东西": "缺少 缺失 没带 没传",
    "少参数": "缺少 缺失 没带 没传",
    "少个参数": "缺少 缺失 没带 没传",
    "少字段": "缺少 缺失 没带 没传",
    "少个字段": "缺少 缺失 没带 没传",
    # A token is 令牌 in Chinese; the catalog writes token, refresh token, access token.
    "令牌": "token",
    "刷新令牌": "refresh | token",
    # The token used to refresh (用来刷新的令牌, 刷新用的token) is the refresh token.
    "用来刷新的令牌": "refresh | token",
    "用来刷新的token": "refresh | token",
    "刷新用的令牌": "refresh | token",
    "刷新用的token": "refresh | token",
    "访问令牌": "access | token",
    # Replaced by a new one: updated, in the catalog's words.
    "换新": "更新 换新",
    "换个新的": "更新 换新",
    # Expired, in the catalog's words: come to the end of its validity period.
    "到期": "过期 expired",
    # A token's period of validity (令牌有有效期, after two hours all 401) is its expiry.
    "有效期": "有效期 过期 expired",
    "过了有效期": "过期 expired",
    "超过有效期": "过期 expired",
    "超出有效期": "过期 expired",
    "有效期过了": "过期 expired",
    "有效期已过": "过期 expired",
    "有效期到了": "过期 expired",
    # A signing algorithm named by its name.
    "hmac-sha1": "algorithm 算法",
    "hmac-sha256": "algorithm 算法",
    "hmac-md5": "algorithm 算法",
    "sha1": "algorithm 算法",
    "md5": "algorithm 算法",
    # The catalog says APP (and 凭据 for the shared gateway) where customers say 应用.
    "应用程序": "app 应用 凭据",
    "应用": "app 应用 凭据",
    # Malformed, in the catalog's word.
    "格式不对": "不合法 格式",
    "格式错误": "不合法 格式",
    "格式不正确": "不合法 格式",
    "格式有误": "不合法 格式",
    "无效": "不合法 无效",
    "非法": "不合法 非法",
    # Renewed where the catalog says updated.
    "需要刷新": "需要更新",
    "要刷新": "需要更新",
    "需刷新": "需要更新",
    "自己调用自己": "调用自身",
    # A request that goes round in circles (绕圈, 死循环) calls itself.
    "绕圈": "调用自身 递归",
    "死循环": "调用自身 递归",
    "循环调用": "调用自身 递归",
    "调用自己": "调用自身",
    # Sent back to itself (打回到自己身上), nested like Russian dolls (套娃, 一层套一层).
    "打回自己": "调用自身 递归",
    "打回到自己": "调用自身 递归",
    "转回自己": "调用自身 递归",
    "转回到自己": "调用自身 递归",
    "套娃": "调用自身 递归",
    "一层套一层": "调用自身 递归",
    "层层嵌套": "调用自身 递归",
    # Calls nested in calls are, in the catalog's word, recursive.
    "嵌套": "嵌套 递归",
    # What a service sends back (回包) is its response.
    "回包": "响应 回包",
    # Garbled text cannot be parsed.
    "乱码": "乱码 无法解析 格式不对",
    # A value cut short (少了一截) is, in the catalog's word, truncated.
    "少了一截": "截断 不完整",
    "少一截": "截断 不完整",
    "缺了一截": "截断 不完整",
    "截掉了一段": "截断 不完整",
    "截掉一段": "截断 不完整",
    "被截掉": "截断 不完整",
    "截掉了": "截断 不完整",
    # Wrong (有误), in the catalog's word.
    "有误": "有误 错误",
    # Ten levels, in the catalog's figure (递归调用层数不能超过10层).
    "十层": "10 | 层",
}

# English phrases match whole words only ("sign" is not in "signature"), in the plural too
# (`configs`, `certs`).
_PATTERNS = [
    (
        phrase,
        re.compile(
            rf"(?<![a-z0-9]){re.escape(phrase)}s?(?![a-z0-9])"
            if phrase.isascii()
            else re.escape(phrase)
        ),
    )
    for phrase in sorted(SYNONYMS, key=len, reverse=True)
]


# Words that carry no meaning of a failure, said in a query (never in the index: the
# catalog's own text is unchanged). Left in, a filler that one row happens to hold (in a
# phrasing, a remedy) is rare among the candidates and so counts as much as a real word.
# English fillers, and the ends of contractions (`can't`, `it's`).
FILLER_WORDS = frozenset(
    "again also always any anyone anything actually aren basically couldn don doesn didn "
    "else even hadn hasn haven shouldn wouldn "
    "ever everything get gets getting got hello help hey hi happen happened happening "
    "happens isn just keep keeps kept know like me nothing now please really "
    "seem seemed seems some someone something still suddenly than thanks thing things today "
    "us very wasn weren why won yesterday yet "
    "about after anyway because but guess how idea ideas maybe since them then they think "
    "want wants".split()
)
FILLER_RE = re.compile(
    r"['’](?:t|s|m|d|ll|re|ve)(?![a-z0-9])|(?<![a-z0-9_-])(?:"
    + "|".join(sorted(FILLER_WORDS))
    + r")(?![a-z0-9_-])"
)
# Chinese particles and fillers, taken out of a Han run before it is cut into pieces, so
# that they do not make pieces across a word boundary (`超时了吗` -> 超时; `我的后端`).
FILLER_HAN_RE = re.compile(
    "为什么|怎么办|怎么回事|怎么|什么|请问|是不是|一下|一直|总是|老是|突然|现在|我们|你们|"
    "自己的|我的|一个|之后|以后|然后|还是|就是|都是|也是|经常|好像|似乎|今天|昨天|那边|这边|"
    "在哪里?|哪里|[了的吗呢吧啊呀嘛哦就说还都也把给又才]"
)

# Adverbs that sit inside a Chinese phrase (`签名总是校验不过`, `接口突然找不到`): the phrases
# are looked for in the text without them too.
ADVERB_HAN_RE = re.compile("一直|总是|老是|经常|突然|好像|似乎|偶尔")

# A region named by its ID (`cn-north-4`, `ap-southeast-1`) or by its Chinese name, an area
# and a city (`华北-北京四`, `亚太-新加坡`: the area is enough to tell) is, in the catalog's
# words, a region.
REGION_RE = re.compile(
    r"(?<![a-z0-9-])(?:[a-z]{2}-)+[a-z]+-\d{1,2}(?![a-z0-9-])"
    r"|(?:华北|华东|华南|华中|西南|西北|东北|中国|亚太|非洲|拉美|中东|欧洲|土耳其)-"
)

# An IPv4 address (IPV4_RE), a time of day (`14:05`, `10:12:33`, in on-call notes and
# alerts) and a date (`2026-12-01`) name no failure: they read as nothing (`127.0.0.1`'s
# numbers found the row that names TLS 1.1). That a text names an IP, by an address too,
# is read apart (kb.search.engine.SUBJECTS): as a word, every address of a log line would
# count.
MOMENT_RE = re.compile(
    r"(?<![0-9:])[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?![0-9:])"
    r"|(?<![0-9])[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])"
)

# Authentication said to have passed (`authentication passes`, `signing succeeds`, `the
# credentials are valid`, `even with valid credentials`, `认证环节已经通过`, `签名校验其实过了`):
# a refusal after it is no wrong credential, and its words ask for none.
AUTHENTICATED_RE = re.compile(
    r"(?<![a-z0-9-])(?:authentication|auth|signature|signing|credentials?|sign-?in)\s+"
    r"(?:check\s+)?(?:itself\s+)?(?:is\s+|was\s+|are\s+|were\s+|has\s+|have\s+)?"
    r"(?:fine|ok|okay|valid|passe[sd]|passing|succeed(?:s|ed)?|successful)(?![a-z0-9])"
    r"|(?<![a-z0-9-])(?:can|could)\s+authenticate(?![a-z0-9])"
    r"|(?<![a-z0-9-])(?<!not a )(?<!no )valid\s+(?:credentials?|signatures?)(?![a-z0-9])"
    r"|(?:认证|鉴权|签名|验签|签名校验|身份校验)(?:环节|本身|这一步)?(?:已经?|其实|都|是)?"
    # Not `通过不了` (cannot pass), nor `成功率` (the rate of passing).
    r"(?:通过(?!不)|过了|没问题|成功(?!率)|正常)"
)

# A credential's age past a day (`tokens older than 24 hours`, `a two-day-old token`,
# `token是前天拿的`) says it expired, in the catalog's words; the duration is no timeout.
AGE_RE = CuedPattern(
    re.compile(
        r"(?<![a-z0-9])(?:older than|more than|over)?\s*"
        r"(?:\d+|an?|one|two|three|four|five|six|seven|a few|several)[\s-]*"
        r"(?:hours?|hrs?|days?|weeks?|months?)[\s-]+old(?![a-z0-9])"
        r"|(?<![a-z0-9])older than\s*(?:\d+|an?|one|two|three|a few|several)\s*"
        r"(?:h|hours?|hrs?|days?|d|weeks?|months?)(?![a-z0-9])"
        r"|(?:前天|昨天|[\d一两三几]+天前|[\d一两三几]+个?(?:小时|星期|周)前)(?:拿|获取|申请|领|生成)的?"
        # What works for a while and then fails (`stopped working after 30 days`, `is
        # rejected after a week`) outlived its validity.
        r"|(?<![a-z0-9])(?:stop(?:s|ped)? working|no longer works?|fails?|failed|failing"
        r"|(?:is|are|was|were|gets?|got) rejected|dies|died) after\s*"
        r"(?:\d+|an?|one|two|three|four|five|six|seven|a few|several)[\s-]*"
        r"(?:hours?|hrs?|days?|weeks?|months?)(?![a-z0-9])"
        # So does one got longer ago than that (`issued more than 30 days ago`).
        r"|(?<![a-z0-9])(?:more than|over)\s*(?:\d+|an?|one|two|three|a few|several)[\s-]*"
        r"(?:hours?|hrs?|days?|weeks?|months?) (?:ago|before)(?![a-z0-9])"
        # A credential that lives only so long (`tokens only live 2h`, `those things only live
        # for 24 hours`) is one whose life ran out.
        r"|(?<![a-z0-9])li(?:ve|ves|ved) (?:only )?(?:for )?(?:about |around |~)?"
        r"(?:\d+|an?|one|two|three|four|five|six|seven|a few|several)[\s-]*"
        r"(?:h|hours?|hrs?|days?|d|weeks?|months?)(?![a-z0-9])"
    ),
    "old after ago before live 前 昨天",
)

# A text that names two HTTP methods (`calls it with GET, the API only has POST`, `DELETE
# 调用失败，只定义了 POST`) is about the request method, in the catalog's words: written in
# capitals, or any case before 请求 or 方法 (`get请求`); `get` and `post` alone are words.
HTTP_METHOD_RE = CuedPattern(
    re.compile(
        r"(?<![A-Za-z])(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)(?![A-Za-z])"
        r"|(?i:(?<![a-z])(get|post|put|delete|patch|head|options)(?=\s?(?:请求|方法)))"
    ),
    "GET POST PUT DELETE PATCH HEAD OPTIONS 请求 方法",  # in capitals, or before 请求, 方法
)

# An IP list or access control policy said to be an API's own or bound to it (`the API's
# whitelist`, `access control on this API`, `a policy attached to a single API`,
# `API的白名单`) is the API-level one, not the instance's or a
# credential's: `api` alone, which nearly every row says, cannot tell them apart.
_IP_LIST = (
    r"(?:ip )?(?:(?:white|black|allow|deny)[ -]?list(?:ed)?|access[ -]control(?: polic(?:y|ies))?)"
)
API_LEVEL_RE = re.compile(
    rf"(?<![a-z0-9_-])apis?(?:['’]s)? {_IP_LIST}(?![a-z0-9_-])"
    rf"|(?<![a-z0-9_-]){_IP_LIST} (?:(?:is |was )?(?:bound|attached|applied|added) )?"
    r"(?:on|of|for|in|to) (?:(?:the|this|that|our|my|each|every|an?|one|single) ){0,2}apis?"
    r"(?![a-z0-9_-])"
    # API的白名单, and one bound to it: API绑定了访问控制, 给单个API绑了个IP黑名单.
    r"|api(?:上|里)?(?:(?:绑定?|加|挂|配置?)了?(?:个|一个)?)?的?(?:ip)?(?:白名单|黑名单|访问控制)"
)

# The same said of a credential (an app): `the credential's IP allow list`, `凭据配了IP访问
# 控制`, `为凭据配置了来源IP限制` is the credential's trusted addresses, not the API's list.
CREDENTIAL_LEVEL_RE = re.compile(
    rf"(?<![a-z0-9_-])(?:credential|app)s?(?:['’]s)? (?:own )?{_IP_LIST}(?![a-z0-9_-])"
    rf"|(?<![a-z0-9_-]){_IP_LIST} (?:(?:is |was )?(?:bound|attached|applied|added) )?"
    r"(?:on|of|for|in|to) (?:(?:the|this|that|our|my|each|every|an?|one|single) ){0,2}"
    r"(?:credential|app)s?(?![a-z0-9_-])"
    r"|(?:凭据|应用|credential)(?:上|里|侧|那边)?\s*(?:绑定?|加|挂|配置?|设置?)?了?(?:个|一个)?的?\s*"
    r"(?:(?:来源|源)?ip)?\s*(?:白名单|黑名单|访问控制|限制|acl)"
)

# What every text API_LEVEL_RE or CREDENTIAL_LEVEL_RE matches holds: most texts say `api`
# or `app` (`application/json`), few an IP list, and a substring test is a small part of
# the patterns' cost (40 µs over a pasted response).
IP_LIST_WORDS = ("list", "access control", "access-control", "acl", "名单", "访问控制", "限制")

Term = str | tuple[str, ...]


@lru_cache(maxsize=4096)
def query_groups(text: str) -> tuple[frozenset[Term], ...]:
    """The query as groups of alternative terms; a row matches a group with any one. A
    term is an index token, or a tuple of tokens that are all needed (one word of a
    synonym that is several tokens)."""
    groups: list[frozenset[Term]] = []
    if _names_two_methods(text):
        groups.append(METHOD_GROUP)
    # A Chinese quantity is read before fillers take 一个 out of `一个小时`, a count's
    # thousand before a synonym takes the word counted (`1k rps`).
    text = han_quantities(counted(undenied(corrected(fold_width_and_case(text)))))
    text = IPV4_RE.sub(" ", MOMENT_RE.sub(" ", text))
    text, found = REGION_RE.subn(" ", text)
    if found:
        groups.append(alternatives("region 区域"))
    text = AUTHENTICATED_RE.sub(" ", text)
    text, found = AGE_RE.subn(" ", text)
    if found:
        groups.append(alternatives("expired expires 过期"))
    if any(word in text for word in IP_LIST_WORDS):
        if "api" in text and API_LEVEL_RE.search(text):
            groups.append(alternatives("api-level api级别"))
        if any(word in text for word in ("凭据", "应用", "credential", "app")) and (
            CREDENTIAL_LEVEL_RE.search(text)
        ):
            groups.append(alternatives("credential-level 凭据级"))
    # A phrase an adverb sits inside (`签名总是校验不过`) is said too; its pieces stay.
    joined, adverbs = ADVERB_HAN_RE.subn("", text)
    for phrase, pattern in _PATTERNS:
        # The patterns look for whole words, a regex each: most phrases are not in the
        # text at all, which a substring test says at a small part of the cost.
        if phrase not in joined:
            continue
        text, found = pattern.subn(" ", text)
        if adverbs:
            joined, across = pattern.subn(" ", joined)
            found = found or across
        else:
            joined = text
        if found:
            groups.extend(alternatives(part) for part in SYNONYMS[phrase].split("|"))
    text = FILLER_HAN_RE.sub(" ", FILLER_RE.sub(" ", text))
    groups.extend(frozenset([token]) for token in dict.fromkeys(tokens(text)))
    return tuple(dict.fromkeys(groups))


def _names_two_methods(text: str) -> bool:
    """Whether `text`, as written (capitals tell), names two HTTP methods (HTTP_METHOD_RE)."""
    named = {found.upper() for pair in HTTP_METHOD_RE.findall(text) for found in pair if found}
    return len(named) > 1


def alternatives(part: str) -> frozenset[Term]:
    """A group of the words of `part`, any one of which a row may hold: a word of one token
    is that token, a word of several (`访问控制`, `third-party`) the tuple of them all."""
    terms: list[Term] = []
    for word in part.split():
        pieces = tokens(word)
        if len(pieces) == 1:
            terms.append(pieces[0])
        elif pieces:
            terms.append(tuple(dict.fromkeys(pieces)))
    return frozenset(terms)


# The request method's group: what a text that names two HTTP methods is about.
METHOD_GROUP = alternatives("method 方法")


def group_tokens(group: frozenset[Term]) -> set[str]:
    """Every index token a group names, its words' tokens taken apart."""
    return {token for term in group for token in ((term,) if isinstance(term, str) else term)}


def lookup_tokens(group: frozenset[Term], row_counts: dict[str, float]) -> set[str]:
    """The index tokens that find the rows that may hold `group`: a token as it is, a word
    of several tokens by those of its tokens that are rare (`row_counts` holds the common
    ones), or else by its least common: `调用次数用完` by 次数 and 用完, not by 调用."""
    found: set[str] = set()
    for term in group:
        if isinstance(term, str):
            found.add(term)
            continue
        rare = {token for token in term if token not in row_counts}
        found |= rare or {min(term, key=lambda token: row_counts[token])}
    return found


def held_terms(group: frozenset[Term], held) -> list[Term]:
    """The terms of `group` that `held` (a row's tokens) holds: a token, or every token
    of a word."""
    return [
        term
        for term in group
        if (term in held if isinstance(term, str) else all(token in held for token in term))
    ]


# Where a description quotes or retells what the gateway said: the words after `says`,
# `the error message is`, 提示 or 报错, to the end of the clause and before an address
# (`says configs couldn't be loaded, instance just upgraded`: not the upgrade).
SAID_RE = re.compile(
    r"(?:\b(?:say(?:s|ing)?|said|stat(?:es|ed|ing)|complain(?:s|ing)?(?: about)?"
    r"|tells? (?:me|us)"
    r"|error message(?: is| was)?|error (?:is|was)|message(?: is| was)?)\b"
    r"|提示|报错|显示|错误信息是?|信息是|说)"
    r"[\s:：,，\"'“”‘’「」]*(?P<said>(?:(?!https?://)[^.,;!?。，；！？\n]){2,120})"
)


# What says no more than the status (`says forbidden`, `says 403 Forbidden`), not what
# failed: an HTTP status and its reason phrase, nothing else. (Unlike the few reason
# phrases kb.search.parse reads as a status, every 4xx and 5xx phrase.)
STATUS_ALONE_RE = re.compile(
    r"\W*(?:[45]\d\d\W*)?(?:"
    + "|".join(re.escape(status.phrase.lower()) for status in HTTPStatus if status >= 400)
    + r")?\W*"
)


def said_groups(text: str, groups: tuple[frozenset[Term], ...]) -> frozenset[int]:
    """The groups (by index) of what the text says the gateway said, and the request
    method's when the text names two methods (`defined as POST, called with GET`): a
    mismatch the customer saw, however many other words the text says."""
    folded = corrected(fold_width_and_case(text))
    said: set[frozenset[Term]] = set()
    for match in SAID_RE.finditer(folded):
        words = match.group("said")
        if not STATUS_ALONE_RE.fullmatch(words):
            said.update(query_groups(words))
    if _names_two_methods(text):
        said.add(METHOD_GROUP)
    return frozenset(g for g, group in enumerate(groups) if group in said)


# What a text says was not sent: `left out the grant type`, `the client id was never sent`,
# `omits the refresh token`, `未附带刷新令牌`. The words around the cue, in its clause, are
# what is missing (`lacked_terms`); a field named elsewhere in the text was sent.
LACK_CUE_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    # Cues that name what is missing after them only (`a request without the client id`,
    # `lacks the secret`, `forgot to send`, `I forget put`, `didn't put`, `the config lost the
    # secret`; a list of what was sent, then what was not: `put client_id and grant_type, but
    # not the client secret`, `everything except the secret`): what comes before them is who
    # sent it.
    # ... but not a thing left undone (`without base64-encoding the pair`, `without
    # waiting`): what follows is how it was sent, not a field left out; a word of sending
    # (`without sending the client id`) still is.
    r"(?P<ahead>without(?!\s+(?!(?:send|pass|includ|provid|specify|supply|sett|add|putt|fill)ing)"
    r"[a-z0-9]+(?:-[a-z]+)*(?<!th)ing(?![a-z0-9]))|lacks|lacking|lost|strip(?:s|ping)?"
    r"|forg[eo]t(?: to)?(?: (?:send|pass|include|add|set|put))?"
    r"|(?:didn['’]t|did not|don['’]t|do not|doesn['’]t|does not)"
    r" (?:send|pass|include|provide|put|add|set|specify|supply|fill in)"
    r"|but not|except(?: for)?)"
    r"|missing|absent|lack|left out|leaves out|leaving out|omit(?:s|ted|ting)?|stripped"
    r"|(?:was|were|is|are)(?: (?:simply|just|even|actually|really|still))?"
    r"(?:n['’]t| not) (?:(?:simply|just|even|actually|really|still) )?"
    r"(?:sent|passed|included|provided|set|there|present"
    # A cue that names what is missing before it only (`the client_id field is not in the
    # form body: only grant_type gets sent`): what comes after is where, and what was sent.
    r"|(?P<behind>in (?:the|its|our|their|that) (?:payload|body|request|form|query|json)))"
    r"|(?:never|not) (?:sent|passed|included|provided|added|puts?|adds?|set|specified|supplied)"
    r"|left (?:blank|empty))"
    r"(?![a-z0-9])"
    r"|缺少|缺失|没有?带|没有?传|漏传|忘了?传|忘记传|忘了?带|少了|没放|没填|没给|未带|未传"
    r"|未携带|没携带|未附带|没附带|未提供|没提供|漏了|漏掉"
)
# A dash between spaces ends a clause as a comma does (`the body had client_id and
# client_secret - I never set the grant type`).
DASH_RE = re.compile(r"\s+[-–—]+\s+")
# How far from the cue a missing field is named, either side (`the secret half of the
# credentials wasn't sent`, `left out the field saying which kind of grant they want`).
LACK_REACH = 40


# What a text says the gateway refused (`the client secret is rejected`, `our AppSecret was
# refused`, `refresh_token被拒绝`): the words before the cue, in its clause, name something
# that was sent.
REFUSED_CUE_RE = re.compile(
    r"(?<![a-z0-9])(?:is|was|are|were|gets?|got|being)\s+(?:always\s+)?"
    r"(?:rejected|refused|denied|not accepted)(?![a-z0-9])"
    r"|被(?:网关)?(?:拒绝?|拒收|拦截?|挡)"
)


@lru_cache(maxsize=1024)
def refused_terms(text: str) -> frozenset[str]:
    """The index tokens of what `text` says was refused (REFUSED_CUE_RE): the words within
    LACK_REACH characters before each cue, in its clause. A field refused was sent, so it is
    not the one a lack-of row says is missing."""
    return _terms_near_cues(text, REFUSED_CUE_RE, lambda cue: (True, False))


@lru_cache(maxsize=1024)
def lacked_terms(text: str) -> frozenset[str]:
    """The index tokens (with their synonyms') of what `text` says was not sent: the words
    within LACK_REACH characters of each cue (LACK_CUE_RE) in the cue's clause, on the
    side or sides the cue names them. Empty when the text says nothing is missing."""
    return _terms_near_cues(
        text, LACK_CUE_RE, lambda cue: (not cue.group("ahead"), not cue.group("behind"))
    )


@lru_cache(maxsize=1024)
def _cue_clauses(text: str) -> tuple[str, ...]:
    """The clauses `text` is read in for what it says was missing or refused: a dash
    between spaces, `but` and 但 end one as a comma does. Split once for both readings."""
    folded = DASH_RE.sub(", ", CONTRAST_RE.sub(", ", fold_width_and_case(text)))
    return tuple(QUERY_CLAUSE_RE.findall(folded))


def _terms_near_cues(text: str, cues: re.Pattern, sides) -> frozenset[str]:
    """The index tokens of the words within LACK_REACH characters of each match of `cues`,
    in its clause: before it, after it or both, as `sides(match)` says."""
    near = []
    for clause in _cue_clauses(text):
        for cue in cues.finditer(clause):
            before, after = sides(cue)
            if before:
                near.append(clause[max(0, cue.start() - LACK_REACH) : cue.start()])
            if after:
                near.append(clause[cue.end() :][:LACK_REACH])
    return frozenset(
        token
        for words in near
        if words.strip()
        for group in query_groups(words)
        for token in group_tokens(group)
    )
